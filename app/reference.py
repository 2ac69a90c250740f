"""Starting reference data, loaded by the first migration; admins manage it afterwards."""

STARTING_AGENCIES = [
    "Police", "Children's Social Care", "Adult Social Care", "GP", "Mental Health", "Ambulance",
    "Acute hospital", "Probation", "Housing", "Domestic abuse service / IDVA", "Education", "Other",
]
