"""Starting reference data, loaded by the first migration; admins manage it afterwards."""

STARTING_AGENCIES = [
    "Police", "Children's Social Care", "Adult Social Care", "GP", "Mental Health", "Ambulance",
    "Acute hospital", "Probation", "Housing", "Domestic abuse service / IDVA", "Education", "Other",
]

# Of the starting agencies, the police (contact with them is "prior police contact" on the dashboard).
STARTING_POLICE = {"Police"}

STARTING_THEMES = [
    "Mental health", "Alcohol", "Drugs", "Coercive control", "Risk assessment", "Information sharing",
    "Multi-agency working and referral pathways (MARAC, MASH)", "Training and awareness",
    "Call handling and initial response", "Investigation allocation and linked incidents",
    "Supervision and recording of decisions", "Bail and released under investigation",
    "Offender management (IOM, MAPPA, probation)", "Safeguarding of victims and children", "Weapons",
    "Policy or process gaps", "Good practice to embed",
]
