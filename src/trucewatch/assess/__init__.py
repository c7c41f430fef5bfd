"""Assessment: confidence, status and attribution of incidents."""
