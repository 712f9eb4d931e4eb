"""De-identification: operators, text and table application, differentially private statistics."""
