"""Supplier and labour-recruiter networks: nodes, edges, imports and exports, graph queries."""
