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

# A starting retention schedule: (name, review every N years, given to new debriefs of this kind, description).
# Built on the Management of Police Information groups; a force replaces it with its own schedule.
STARTING_RETENTION = [
    ("Homicide: MoPI group 1", 10, "homicide",
     "Certain public protection matters. Review every 10 years; keep while the learning is needed for a "
     "policing purpose."),
    ("Near miss: MoPI group 2", 10, "near_miss",
     "Other serious violent offences. Review every 10 years."),
    ("Referral not progressed", 6, "declined",
     "Declined at the daily management meeting. Review after 6 years, the usual minimum for police records."),
    ("Organisational learning record", 6, None,
     "Kept for the learning alone (NPCC organisational records schedule). Review every 6 years."),
]
