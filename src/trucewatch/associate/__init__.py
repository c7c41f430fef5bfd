"""trucewatch.associate"""
