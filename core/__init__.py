"""The kernel every Fairpath package builds on: errors, tenancy, the organisation table, ids and
tokens, time, spreadsheet escaping, file storage and the version. It imports no other Fairpath
package, so anything may depend on it.
"""
