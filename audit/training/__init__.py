"""CREST pillar 1: trainings delivered to the staff of a network's nodes, and their coverage."""
