"""Reference data for the deterministic sample-data generator.

Pure data, standard library only. Everything here is fictional: people,
companies, domains, campaigns and notes are invented for demos and tests.
Tech-stack entries are real product names, as a rep would see them in
enrichment data. The vendor in this story sells a revenue/operations
analytics platform, so its ideal customer profile (ICP) leans toward
software, finance, logistics, manufacturing and similar B2B buyers.
"""

from __future__ import annotations

from typing import Final

# -- people ------------------------------------------------------------------

FIRST_NAMES: Final[tuple[str, ...]] = (
    # United States / Canada / UK / Ireland
    "Emily", "Michael", "Sarah", "David", "Jessica", "Ryan", "Ashley", "Brandon", "Megan", "Tyler",
    "Lauren", "Kevin", "Rachel", "Jason", "Amanda", "Justin", "Nicole", "Derek", "Heather", "Caleb",
    "Brianna", "Travis", "Kayla", "Marcus", "Olivia", "Ethan", "Hannah", "Connor", "Siobhan", "Declan",
    "Fiona", "Graham", "Imogen", "Rhys",
    # Continental Europe / Nordics
    "Søren", "Björn", "Chloé", "Zoë", "Łukasz", "Agnieszka", "Mathieu", "Élodie", "Lukas", "Anneliese",
    "Matthias", "Friederike", "Giulia", "Lorenzo", "Francesca", "Pieter", "Sanne", "Joost", "Ingrid",
    "Astrid", "Henrik", "Sigrid", "Mikael", "Katarzyna", "Tomasz", "Dorota", "Jiří", "Ondřej",
    "Nikolaos", "Eleni", "Ioana", "Bogdan", "Ana", "Inês", "Joaquim", "Bernadette",
    # Latin America / Iberia
    "José", "María", "Alejandro", "Camila", "Valentina", "Sebastián", "Mateo", "Lucía", "Andrés",
    "Gabriela", "Rodrigo", "Fernanda", "João", "Thiago", "Beatriz", "Ximena", "Joaquín",
    # India / South Asia
    "Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Deepika", "Aditya", "Sneha", "Rahul",
    "Meera", "Siddharth", "Farhan", "Nadia",
    # East and Southeast Asia
    "Wei", "Mei", "Haruto", "Yuki", "Sakura", "Kenji", "Min-jun", "Ji-woo", "Seo-yeon", "Linh",
    "Minh", "Xiaoling", "Jun", "Aiko",
    # Africa / Middle East
    "Chidi", "Ngozi", "Kwame", "Abena", "Thandiwe", "Sipho", "Amara", "Tendai", "Wanjiru", "Oluwaseun",
    "Yasmin", "Omar", "Layla", "Tariq",
)

LAST_NAMES: Final[tuple[str, ...]] = (
    # United States / UK / Ireland
    "Smith", "Johnson", "Williams", "Brown", "Miller", "Davis", "Wilson", "Anderson", "Thompson", "Moore",
    "Taylor", "Clark", "Lewis", "Walker", "Hall", "Young", "Allen", "Wright", "Hughes", "Bennett",
    "Foster", "Sullivan", "Brooks", "Reed", "Coleman", "Hayes", "Patterson", "O'Brien", "O'Connor",
    "O'Neill", "McCarthy", "Fitzgerald", "Gallagher", "Kavanagh", "Whitaker", "Pemberton", "Ashworth",
    "Caldwell", "Donnelly", "Fairbanks",
    # Continental Europe / Nordics
    "Müller", "Schäfer", "Schröder", "Weiß", "Becker", "Hoffmann", "Krüger", "Vogel", "Fischer",
    "Dubois", "Lefèvre", "Moreau", "Girard", "Rousseau", "Bonnet", "Rossi", "Bianchi", "Ferrari",
    "Esposito", "Conti", "de Vries", "van Dijk", "Jansen", "Bakker", "Visser", "Lindqvist", "Johansson",
    "Nyström", "Andersen", "Sørensen", "Håkansson", "Virtanen", "Kowalski", "Nowak", "Wiśniewski",
    "Zieliński", "Dvořák", "Novák", "Papadopoulos", "Popescu", "Horváth", "D'Angelo",
    # Latin America / Iberia
    "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez",
    "Ramírez", "Torres", "Flores", "Castillo", "Morales", "Ortiz", "Gutiérrez", "Vargas", "Mendoza",
    "Rojas", "Silva", "Oliveira", "Souza", "Costa", "Pereira", "Carvalho", "Gonçalves", "Araújo",
    "Ferreira",
    # India / South Asia
    "Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Mehta", "Desai", "Chatterjee", "Banerjee",
    "Menon", "Kapoor", "Rao", "Krishnan", "Qureshi", "Rahman",
    # East and Southeast Asia
    "Nguyễn", "Trần", "Lê", "Phạm", "Wang", "Li", "Zhang", "Chen", "Liu", "Huang", "Tanaka",
    "Suzuki", "Takahashi", "Watanabe", "Yamamoto", "Kim", "Park", "Choi", "Jung", "Santos", "Reyes",
    "Tan", "Lim",
    # Africa / Middle East
    "Okafor", "Adeyemi", "Okonkwo", "Mensah", "Asante", "Boateng", "Dlamini", "Ndlovu", "Mokoena",
    "Kamau", "Otieno", "Mwangi", "Haddad", "Khalil", "Mansour",
)

# -- companies ---------------------------------------------------------------

INDUSTRIES: Final[tuple[str, ...]] = (
    "Software",
    "Financial Services",
    "Logistics",
    "Manufacturing",
    "Healthcare",
    "E-commerce",
    "Professional Services",
    "Telecommunications",
    "Education",
    "Government",
    "Non-profit",
    "Hospitality",
    "Agriculture",
    "Media",
)

# Matches the default ICP industries of the team policy.
ICP_INDUSTRIES: Final[tuple[str, ...]] = INDUSTRIES[:8]

REGIONS: Final[tuple[str, ...]] = ("NA", "EMEA", "APAC", "LATAM")

# (name, domain, industry, employees, region)
COMPANIES: Final[tuple[tuple[str, str, str, int, str], ...]] = (
    # Software
    ("Brightloop Analytics", "brightloop.io", "Software", 340, "NA"),
    ("Quillstack", "quillstack.com", "Software", 85, "NA"),
    ("Tidewater Cloud Systems", "tidewatercloud.com", "Software", 1200, "NA"),
    ("Kestrel Data Labs", "kestreldatalabs.com", "Software", 46, "EMEA"),
    ("Corvid Security", "corvidsec.io", "Software", 610, "EMEA"),
    ("Lanternpath", "lanternpath.com", "Software", 230, "NA"),
    ("Orbitfold", "orbitfold.dev", "Software", 18, "NA"),
    ("Helix & Vane Software", "helixvane.com", "Software", 2750, "EMEA"),
    ("Pinecrest Payroll Cloud", "pinecrestpayroll.com", "Software", 890, "NA"),
    ("Saltmarsh Labs", "saltmarsh-labs.io", "Software", 160, "APAC"),
    ("Wrenfield Systems", "wrenfield.com", "Software", 4300, "NA"),
    ("Cobalt Harbor", "cobaltharbor.io", "Software", 72, "LATAM"),
    ("Nimbusgate", "nimbusgate.de", "Software", 510, "EMEA"),
    ("Ferncastle Software", "ferncastle.com", "Software", 14500, "NA"),
    ("Quarrystone Identity", "quarrystone.io", "Software", 1900, "EMEA"),
    # Financial Services
    ("Granite Ledger Partners", "graniteledger.com", "Financial Services", 1450, "NA"),
    ("Meridian Mutual Credit Union", "meridianmutualcu.org", "Financial Services", 620, "NA"),
    ("Aldergate Capital", "aldergatecapital.co.uk", "Financial Services", 280, "EMEA"),
    ("Bluecairn Insurance Group", "bluecairn-insurance.com", "Financial Services", 5600, "NA"),
    ("Fairhaven Payments", "fairhavenpay.com", "Financial Services", 390, "NA"),
    ("Norrland Sparbank", "norrlandsparbank.se", "Financial Services", 2100, "EMEA"),
    ("Oakvale Wealth Advisors", "oakvalewealth.com", "Financial Services", 64, "NA"),
    ("Stonebridge Lending", "stonebridgelending.com", "Financial Services", 1750, "NA"),
    ("Corniche Assurance", "corniche-assurance.fr", "Financial Services", 3400, "EMEA"),
    ("Veridian Card Services", "veridiancard.com", "Financial Services", 980, "NA"),
    ("Paloma Fintech", "palomafintech.mx", "Financial Services", 150, "LATAM"),
    ("Harborlight Bank", "harborlightbank.com", "Financial Services", 22000, "NA"),
    ("Tamarind Reinsurance", "tamarindre.sg", "Financial Services", 830, "APAC"),
    # Logistics
    ("Northwind Logistics", "northwind-logistics.com", "Logistics", 2300, "NA"),
    ("Redline Freight", "redlinefreight.com", "Logistics", 740, "NA"),
    ("Kadence Cold Chain", "kadencecoldchain.com", "Logistics", 430, "NA"),
    ("Baltic Crossing Shipping", "balticcrossing.eu", "Logistics", 1600, "EMEA"),
    ("Roadrunner Last Mile", "roadrunner-lastmile.com", "Logistics", 310, "NA"),
    ("Hanseport Spedition", "hanseport-spedition.de", "Logistics", 880, "EMEA"),
    ("Pacific Rim Forwarding", "pacificrimforwarding.com", "Logistics", 1150, "APAC"),
    ("Tallgrass Warehousing", "tallgrasswarehousing.com", "Logistics", 205, "NA"),
    ("Corredor Andino Cargo", "corredorandino.com.co", "Logistics", 470, "LATAM"),
    ("Ironhorse Rail Services", "ironhorserail.com", "Logistics", 6800, "NA"),
    ("Swiftdock", "swiftdock.io", "Logistics", 38, "EMEA"),
    ("Marlstone Parcel", "marlstoneparcel.co.uk", "Logistics", 3900, "EMEA"),
    ("Blue Heron Drayage", "blueherondrayage.com", "Logistics", 95, "NA"),
    # Manufacturing
    ("Brassfield Components", "brassfieldcomponents.com", "Manufacturing", 1350, "NA"),
    ("Lindqvist Precision", "lindqvistprecision.se", "Manufacturing", 520, "EMEA"),
    ("Copperline Industrial", "copperline-industrial.com", "Manufacturing", 3100, "NA"),
    ("Auerbach Maschinenbau", "auerbach-maschinenbau.de", "Manufacturing", 2400, "EMEA"),
    ("Summit Ridge Plastics", "summitridgeplastics.com", "Manufacturing", 260, "NA"),
    ("Calder & Finch Furniture", "calderfinch.com", "Manufacturing", 180, "NA"),
    ("Voltaire Electric Motors", "voltaire-motors.fr", "Manufacturing", 4700, "EMEA"),
    ("Greywater Pumps", "greywaterpumps.com", "Manufacturing", 690, "NA"),
    ("Tessera Packaging", "tesserapackaging.com", "Manufacturing", 950, "NA"),
    ("Kobalt Fabrication", "kobaltfab.pl", "Manufacturing", 340, "EMEA"),
    ("Sakura Mechatronics", "sakura-mechatronics.jp", "Manufacturing", 8200, "APAC"),
    ("Fundição Serra Azul", "serraazul.com.br", "Manufacturing", 1100, "LATAM"),
    ("Heartland Agri-Equipment", "heartlandagrieq.com", "Manufacturing", 38000, "NA"),
    ("Ostrava Steelworks Components", "ostravasc.cz", "Manufacturing", 1700, "EMEA"),
    # Healthcare
    ("Clearwater Health Partners", "clearwaterhealth.org", "Healthcare", 3600, "NA"),
    ("Bellhaven Diagnostics", "bellhavendx.com", "Healthcare", 420, "NA"),
    ("Mosswood Dental Group", "mosswooddental.com", "Healthcare", 240, "NA"),
    ("Vitalis Medtech", "vitalismedtech.nl", "Healthcare", 760, "EMEA"),
    ("Lakeshore Home Care", "lakeshorehomecare.com", "Healthcare", 1300, "NA"),
    ("Caduceus Billing Services", "caduceusbilling.com", "Healthcare", 185, "NA"),
    ("Nordlys Helse", "nordlyshelse.no", "Healthcare", 950, "EMEA"),
    ("Sunpath Telehealth", "sunpathtelehealth.com", "Healthcare", 95, "NA"),
    ("Everglade Veterinary Network", "evergladevets.com", "Healthcare", 610, "NA"),
    ("Ashford Clinical Research", "ashfordcro.co.uk", "Healthcare", 2050, "EMEA"),
    ("St. Aurelia Hospital System", "staurelia.org", "Healthcare", 16500, "NA"),
    ("Kiwi Pharmacy Collective", "kiwipharmacy.co.nz", "Healthcare", 290, "APAC"),
    # E-commerce
    ("Threadbare Supply Co.", "threadbaresupply.com", "E-commerce", 130, "NA"),
    ("Parcelwise Marketplace", "parcelwise.com", "E-commerce", 870, "NA"),
    ("Hearth & Hollow Home", "hearthandhollow.com", "E-commerce", 210, "NA"),
    ("Velomart", "velomart.de", "E-commerce", 480, "EMEA"),
    ("Little Fern Kids", "littlefernkids.co.uk", "E-commerce", 75, "EMEA"),
    ("Peakform Nutrition", "peakformnutrition.com", "E-commerce", 320, "NA"),
    ("Mercado Solar", "mercadosolar.com.br", "E-commerce", 650, "LATAM"),
    ("Driftwood Outfitters", "driftwoodoutfitters.com", "E-commerce", 1450, "NA"),
    ("Bonjour Boutique", "bonjourboutique.fr", "E-commerce", 40, "EMEA"),
    ("Crate & Compass", "crateandcompass.com", "E-commerce", 2600, "NA"),
    ("Lumen Beauty Direct", "lumenbeautydirect.com", "E-commerce", 560, "NA"),
    ("Gearloft Electronics", "gearloft.ca", "E-commerce", 260, "NA"),
    # Professional Services
    ("Whitfield Ames Consulting", "whitfieldames.com", "Professional Services", 720, "NA"),
    ("Bramble & Hart LLP", "bramblehart.com", "Professional Services", 410, "NA"),
    ("Castellan Advisory", "castellanadvisory.co.uk", "Professional Services", 260, "EMEA"),
    ("Northstar Talent Partners", "northstartalent.com", "Professional Services", 150, "NA"),
    ("Keystone Audit Group", "keystoneaudit.com", "Professional Services", 3300, "NA"),
    ("Vermeer & Kok Accountants", "vermeerkok.nl", "Professional Services", 330, "EMEA"),
    ("Tillbrook Engineering Consultants", "tillbrookec.com", "Professional Services", 1250, "NA"),
    ("Atelier Moreau Architectes", "ateliermoreau.fr", "Professional Services", 55, "EMEA"),
    ("Bluefin Staffing", "bluefinstaffing.com", "Professional Services", 5200, "NA"),
    ("Praxis Data Consulting", "praxisdata.in", "Professional Services", 640, "APAC"),
    ("Ridgeway Legal", "ridgewaylegal.com", "Professional Services", 22, "NA"),
    # Telecommunications
    ("Beaconlink Communications", "beaconlink.net", "Telecommunications", 2900, "NA"),
    ("Skyreach Fiber", "skyreachfiber.com", "Telecommunications", 540, "NA"),
    ("Alpenwelle Telekom", "alpenwelle.at", "Telecommunications", 1800, "EMEA"),
    ("Prairie Wireless Cooperative", "prairiewireless.coop", "Telecommunications", 260, "NA"),
    ("Tidalwave Mobile", "tidalwavemobile.co.uk", "Telecommunications", 4100, "EMEA"),
    ("Conecta Sur", "conectasur.cl", "Telecommunications", 1350, "LATAM"),
    ("Fibrewise Networks", "fibrewise.ie", "Telecommunications", 380, "EMEA"),
    ("Relaypoint VoIP", "relaypointvoip.com", "Telecommunications", 120, "NA"),
    ("Archipelago Telecom", "archipelagotel.ph", "Telecommunications", 7300, "APAC"),
    ("Greenfield Cable & Data", "greenfieldcabledata.com", "Telecommunications", 12500, "NA"),
    ("Signalhouse", "signalhouse.io", "Telecommunications", 68, "NA"),
    # Education
    ("Maplewood Unified School District", "maplewoodusd.org", "Education", 2700, "NA"),
    ("Brightwater Community College", "brightwatercc.edu", "Education", 940, "NA"),
    ("Learnloom", "learnloom.com", "Education", 110, "NA"),
    ("Kingsmere Academy Trust", "kingsmereacademies.org.uk", "Education", 1600, "EMEA"),
    ("Universidad del Valle Verde", "uvalleverde.edu.mx", "Education", 3200, "LATAM"),
    ("Tutorly", "tutorly.in", "Education", 45, "APAC"),
    ("Evergreen State Polytechnic", "evergreenpoly.edu", "Education", 5400, "NA"),
    # Government
    ("City of Cedar Falls", "cedarfalls-city.gov", "Government", 1900, "NA"),
    ("Riverbend County", "riverbendcounty.gov", "Government", 3800, "NA"),
    ("Northshire Borough Council", "northshire.gov.uk", "Government", 2600, "EMEA"),
    ("State Workforce Development Office", "workforce-dev.gov", "Government", 760, "NA"),
    ("Port Authority of Mareview", "mareviewport.gov", "Government", 1150, "NA"),
    # Non-profit
    ("Open Harvest Food Bank", "openharvest.org", "Non-profit", 85, "NA"),
    ("Clearsky Conservation Trust", "clearskytrust.org", "Non-profit", 140, "NA"),
    ("Fundación Puentes", "fundacionpuentes.org", "Non-profit", 60, "LATAM"),
    ("Kinderhilfe Nord", "kinderhilfe-nord.de", "Non-profit", 210, "EMEA"),
    ("Literacy Lantern", "literacylantern.org", "Non-profit", 12, "NA"),
    ("Global Wells Initiative", "globalwells.org", "Non-profit", 330, "EMEA"),
    # Hospitality
    ("Saltwater Inn Collection", "saltwaterinns.com", "Hospitality", 1400, "NA"),
    ("Copper Kettle Restaurant Group", "copperkettlegroup.com", "Hospitality", 2200, "NA"),
    ("Hotel Alba Lisboa", "hotelalba.pt", "Hospitality", 160, "EMEA"),
    ("Juniper Hollow Resorts", "juniperhollow.com", "Hospitality", 6100, "NA"),
    ("Kōyō Ryokan Group", "koyoryokan.jp", "Hospitality", 480, "APAC"),
    ("Tavola Catering", "tavolacatering.it", "Hospitality", 95, "EMEA"),
    # Agriculture
    ("Goldfield Grain Cooperative", "goldfieldgrain.coop", "Agriculture", 640, "NA"),
    ("Verdeterra Agro", "verdeterra.com.br", "Agriculture", 2300, "LATAM"),
    ("Orchard Hill Farms", "orchardhillfarms.com", "Agriculture", 75, "NA"),
    ("Hollandse Kas Tuinbouw", "hollandsekas.nl", "Agriculture", 340, "EMEA"),
    ("Murray Basin Pastoral", "murraybasin.com.au", "Agriculture", 190, "APAC"),
    ("Agrosemillas del Sur", "agrosemillas.com.ar", "Agriculture", 430, "LATAM"),
    # Media
    ("Riverstone Media Group", "riverstonemedia.com", "Media", 1700, "NA"),
    ("Halftone Studios", "halftonestudios.com", "Media", 48, "NA"),
    ("The Ledger Review", "ledgerreview.com", "Media", 230, "NA"),
    ("Klangwerk Audio", "klangwerk.de", "Media", 120, "EMEA"),
    ("Pixelmoor Games", "pixelmoor.co.uk", "Media", 560, "EMEA"),
    ("Canal Horizonte", "canalhorizonte.com.mx", "Media", 1900, "LATAM"),
    ("Brightside Podcast Network", "brightsidepods.com", "Media", 8, "NA"),
    ("Marlowe Publishing House", "marlowepublishing.com", "Media", 940, "NA"),
    ("Northbeam Radio Network", "northbeamradio.co.uk", "Media", 410, "EMEA"),
)

# -- roles -------------------------------------------------------------------

SENIORITIES: Final[tuple[str, ...]] = ("c_level", "vp", "director", "manager", "individual", "student")

# (title, seniority)
TITLES: Final[tuple[tuple[str, str], ...]] = (
    ("Founder & CEO", "c_level"),
    ("Chief Executive Officer", "c_level"),
    ("Chief Revenue Officer", "c_level"),
    ("Chief Operating Officer", "c_level"),
    ("CFO", "c_level"),
    ("Chief Marketing Officer", "c_level"),
    ("VP Revenue Operations", "vp"),
    ("VP of Sales", "vp"),
    ("VP Marketing", "vp"),
    ("VP Finance", "vp"),
    ("VP Operations", "vp"),
    ("SVP Global Sales", "vp"),
    ("VP Demand Generation", "vp"),
    ("Head of Sales Operations", "director"),
    ("Head of Revenue Operations", "director"),
    ("Head of Growth Marketing", "director"),
    ("Director of Marketing", "director"),
    ("Director of Sales", "director"),
    ("Director of Business Development", "director"),
    ("Director of Finance", "director"),
    ("Director of Operations", "director"),
    ("Director, Marketing Operations", "director"),
    ("Director of FP&A", "director"),
    ("Revenue Operations Manager", "manager"),
    ("Sales Operations Manager", "manager"),
    ("Marketing Operations Manager", "manager"),
    ("Demand Generation Manager", "manager"),
    ("Regional Sales Manager", "manager"),
    ("Inside Sales Manager", "manager"),
    ("Finance Manager", "manager"),
    ("Operations Manager", "manager"),
    ("Procurement Manager", "manager"),
    ("Customer Success Manager", "manager"),
    ("Sales Ops Analyst", "individual"),
    ("Revenue Operations Analyst", "individual"),
    ("Marketing Automation Specialist", "individual"),
    ("Senior Account Executive", "individual"),
    ("Account Executive", "individual"),
    ("Business Development Representative", "individual"),
    ("Financial Analyst", "individual"),
    ("Data Analyst", "individual"),
    ("Salesforce Administrator", "individual"),
    ("Operations Analyst", "individual"),
    ("Marketing Intern", "student"),
    ("Sales Intern", "student"),
    ("Graduate Student", "student"),
    ("MBA Candidate", "student"),
)

# Title keyword -> talk-track persona. Matched as a case-insensitive substring
# of the title, first match wins, so specific keywords come before broad ones.
# Short acronyms are avoided where they hide inside words ("cto" in "Director").
SENIORITY_PERSONA: Final[dict[str, str]] = {
    "Intern": "individual",
    "Student": "individual",
    "MBA": "individual",
    "Revenue Operations": "revops",
    "RevOps": "revops",
    "Sales Operations": "revops",
    "Sales Ops": "revops",
    "Marketing Operations": "revops",
    "Marketing Automation": "revops",
    "Salesforce Administrator": "revops",
    "Analyst": "individual",
    "Account Executive": "individual",
    "Representative": "individual",
    "Chief Revenue Officer": "sales_leader",
    "Founder": "sales_leader",
    "Chief Executive Officer": "sales_leader",
    "Sales": "sales_leader",
    "Business Development": "sales_leader",
    "Chief Marketing Officer": "marketing_leader",
    "Marketing": "marketing_leader",
    "Demand Generation": "marketing_leader",
    "Growth": "marketing_leader",
    "CFO": "finance",
    "Finance": "finance",
    "Financial": "finance",
    "FP&A": "finance",
    "Procurement": "finance",
    "Chief Operating Officer": "operations",
    "Operations": "operations",
    "Customer Success": "operations",
}

# -- where leads come from ---------------------------------------------------

# (lead_source, channel)
SOURCES: Final[tuple[tuple[str, str], ...]] = (
    ("Webinar", "events"),
    ("Content Download", "organic"),
    ("Organic Search", "organic"),
    ("Paid Search", "paid"),
    ("LinkedIn Ads", "paid"),
    ("Paid Social Retargeting", "paid"),
    ("Demo Request", "inbound"),
    ("Contact Us", "inbound"),
    ("Pricing Page", "inbound"),
    ("Chat Conversation", "inbound"),
    ("Trade Show", "events"),
    ("Field Event Dinner", "events"),
    ("Partner Referral", "partner"),
    ("Marketplace Listing", "partner"),
    ("Free Trial", "product"),
    ("Product Signup (Freemium)", "product"),
)

CAMPAIGNS: Final[tuple[str, ...]] = (
    "Q4-2025 Forecasting Webinar Series",
    "Q1-2026 Pipeline Velocity Webinar",
    "RevOps Benchmark Report 2026",
    "State of Lead Response 2025",
    "Q1-2026 Speed-to-Lead Paid Search",
    "Q4-2025 LinkedIn ABM: Logistics & Manufacturing",
    "Q1-2026 LinkedIn ABM: Financial Services",
    "SaaS Metrics Summit 2025 (Booth 214)",
    "RevOps Roadshow Chicago - Nov 2025",
    "RevOps Roadshow London - Jan 2026",
    "Q4-2025 Partner Co-marketing: CRM Hygiene",
    "FY26 Budget Planning Nurture",
    "Q1-2026 Free Trial Reactivation",
    "Healthcare Revenue Cycle Ebook 2025",
    "Q4-2025 Competitive Displacement: Spreadsheet Routing",
    "Always-on Organic: RevOps Blog",
    "Q1-2026 Executive Dinner Series - New York",
)

# (title, stage) -- tofu/mofu/bofu = top/middle/bottom of the funnel
CONTENT: Final[tuple[tuple[str, str], ...]] = (
    # top of funnel
    ("Blog: 7 Signs Your Lead Routing Is Leaking Pipeline", "tofu"),
    ("Blog: What Is Speed-to-Lead and Why It Matters", "tofu"),
    ("Blog: MQL vs SQL - Getting the Handoff Right", "tofu"),
    ("Ebook: The RevOps Starter Guide", "tofu"),
    ("RevOps Benchmark Report 2026", "tofu"),
    ("State of Lead Response 2025", "tofu"),
    ("Infographic: Anatomy of a Lost Lead", "tofu"),
    ("Podcast: Pipeline Confessions, Episode 42", "tofu"),
    ("Checklist: CRM Data Hygiene in 10 Steps", "tofu"),
    ("Webinar: Forecasting Without the Guesswork", "tofu"),
    # middle of funnel
    ("Ebook: Building a Lead Scoring Model That Sales Trusts", "mofu"),
    ("Guide: Designing SLAs Between Marketing and Sales", "mofu"),
    ("Webinar: Pipeline Velocity Deep Dive", "mofu"),
    ("Webinar: How Logistics Teams Forecast Revenue", "mofu"),
    ("Template: Lead Routing Rules Workbook", "mofu"),
    ("Whitepaper: Attribution Models for B2B Revenue Teams", "mofu"),
    ("Case Study: Northwind Logistics Cut Lead Response Time by 68%", "mofu"),
    ("Case Study: Granite Ledger Partners Improved Forecast Accuracy to 94%", "mofu"),
    ("Case Study: Brassfield Components Unified Marketing and Sales Data", "mofu"),
    ("Product Tour: Revenue Dashboards in 5 Minutes", "mofu"),
    ("Comparison Guide: Leadqueue vs Spreadsheet Routing", "mofu"),
    ("Comparison Guide: Build vs Buy for Revenue Analytics", "mofu"),
    # bottom of funnel
    ("Pricing Page", "bofu"),
    ("ROI Calculator", "bofu"),
    ("Security & Compliance Overview (SOC 2)", "bofu"),
    ("Implementation Guide: Live in 30 Days", "bofu"),
    ("Integrations Page: Salesforce & HubSpot", "bofu"),
    ("Customer Reference Call Request", "bofu"),
    ("Procurement FAQ and Sample Order Form", "bofu"),
    ("Live Demo: Revenue Analytics Platform", "bofu"),
)

# (kind, label_template, points). Templates may use {content} (a content title)
# and {page} (a site page name). Common low-intent kinds appear with several
# wordings, so picking uniformly from this tuple favours them, as real
# engagement data does; high-intent kinds appear once.
TOUCHPOINT_KINDS: Final[tuple[tuple[str, str, int], ...]] = (
    ("page_visit", "Visited the {page} page", 3),
    ("page_visit", "Returned to the {page} page (3 visits this week)", 5),
    ("page_visit", "Read {content}", 2),
    ("page_visit", "Browsed the {page} page from a LinkedIn ad", 3),
    ("pricing_visit", "Viewed the pricing page", 15),
    ("pricing_visit", "Viewed the pricing page twice in one day", 20),
    ("download", "Downloaded {content}", 10),
    ("download", "Downloaded {content} from a partner newsletter", 8),
    ("webinar_registered", "Registered for {content}", 5),
    ("webinar_attended", "Attended {content} (stayed 40+ minutes)", 15),
    ("webinar_attended", "Watched the recording of {content}", 10),
    ("form_fill", "Submitted a form to access {content}", 10),
    ("form_fill", "Filled in the newsletter form on the {page} page", 6),
    ("email_click", "Clicked a nurture email about {content}", 4),
    ("email_click", "Clicked through to the {page} page from a newsletter", 4),
    ("email_reply", "Replied to a nurture email about {content}", 12),
    ("demo_request", "Requested a demo from the {page} page", 30),
    ("direct_inquiry", "Sent a direct inquiry via Contact Us: asked about {content}", 25),
    ("trial_signup", "Started a free trial", 20),
    ("event_badge_scan", "Badge scanned at our booth; picked up {content}", 8),
    ("event_badge_scan", "Badge scanned at the executive dinner", 12),
)

# (attribute, points) for the "fit" half of the score breakdown. The generator
# awards an attribute by keyword: "industry", "size", "title", "region", or a
# "Uses ..." technology. Wording matches the team's default ICP policy.
FIT_ATTRIBUTES: Final[tuple[tuple[str, int], ...]] = (
    ("Industry in ICP", 15),
    ("Company size 50-10,000 employees", 15),
    ("Title: director or above", 20),
    ("Region: NA/EMEA", 5),
    ("Uses Salesforce", 5),
    ("Uses HubSpot", 5),
    ("Uses Snowflake", 3),
)

# -- enrichment --------------------------------------------------------------

TECH_STACK: Final[tuple[str, ...]] = (
    "Salesforce",
    "HubSpot",
    "Snowflake",
    "Outreach",
    "Salesloft",
    "Gong",
    "Marketo",
    "Pardot",
    "Zendesk",
    "Slack",
    "dbt",
    "Looker",
    "Tableau",
    "Segment",
    "Microsoft Dynamics 365",
    "Pipedrive",
    "ZoomInfo",
    "Clari",
    "LinkedIn Sales Navigator",
    "Intercom",
    "Google BigQuery",
    "Fivetran",
    "Power BI",
    "NetSuite",
    "Zapier",
    "Calendly",
    "Chorus",
)

GROWTH_SIGNALS: Final[tuple[str, ...]] = (
    "Raised Series B ($40M) in the last 90 days",
    "Raised a $12M Series A last month",
    "Closed $85M Series C led by a growth fund",
    "Hiring 12 SDRs",
    "Hiring a Revenue Operations Manager (posted 9 days ago)",
    "Opened London office",
    "Opened a distribution hub in Monterrey",
    "New VP Sales hired 2 months ago",
    "New CFO joined this quarter",
    "Headcount up 35% year over year",
    "Acquired a smaller competitor in November",
    "Announced expansion into the DACH region",
    "Migrating from Pipedrive to Salesforce (job posts mention it)",
    "Launched a self-serve product tier",
    "Sales team grew from 20 to 45 reps in 12 months",
    "Announced IPO preparations for 2027",
)

INTENT_TOPICS: Final[tuple[str, ...]] = (
    "lead routing",
    "sales forecasting",
    "revenue operations software",
    "lead scoring",
    "pipeline analytics",
    "marketing attribution",
    "speed to lead",
    "CRM data quality",
    "sales capacity planning",
    "territory management",
    "revenue intelligence",
)

# -- what reps say and write ---------------------------------------------------

# Persona -> talk tracks. Placeholders: {company}, {content}. No other braces.
TALK_TRACKS: Final[dict[str, tuple[str, ...]]] = {
    "revops": (
        "Saw your team dig into {content}. Most RevOps leads we talk to are stitching routing rules "
        "together in spreadsheets; happy to show how others cut lead response from hours to minutes.",
        "When MQLs move from marketing to sales at {company}, how do you see which ones stalled? "
        "That handoff gap is usually where pipeline leaks.",
        "If your forecast still starts with a CRM export on Monday morning, a 20-minute look at "
        "automated pipeline snapshots could give {company} that time back.",
    ),
    "sales_leader": (
        "Teams your size usually lose a third of inbound demand to slow follow-up. Want to see how "
        "fast {company} responds to hot leads today?",
        "You looked at {content}; most sales leaders we work with want one number they can trust "
        "for the quarter. Worth comparing notes on forecast accuracy?",
        "With new reps ramping, clean routing and clear SLAs keep them on the best leads first. "
        "Happy to share what that looked like for a similar team.",
    ),
    "marketing_leader": (
        "Marketing teams tell us the hardest part is proving which MQLs sales actually worked. "
        "We can show {company} exactly where leads stall after handoff.",
        "Since you read {content}: would a closed-loop view from campaign to revenue help with "
        "next quarter's budget conversation?",
        "If sales says the leads are bad and marketing says they never get called, the data usually "
        "settles it quickly. Open to a short look at yours?",
    ),
    "finance": (
        "Finance teams use us to tie the sales forecast to actual pipeline movement, so the board "
        "number stops changing in the last week of the quarter.",
        "You checked out {content}; most CFOs want to see payback before anything else. Our ROI "
        "model takes about 15 minutes to fill in with your numbers.",
        "If {company} is planning next year's hiring against pipeline coverage, we can show how "
        "reliable that coverage number really is.",
    ),
    "operations": (
        "Operations leaders at companies like {company} use us to see demand before it hits the "
        "floor, not after the quarter closes.",
        "You spent time on {content}. Is getting one shared view of pipeline across sales and "
        "operations on your list this year?",
        "When revenue data lives in three systems, planning becomes guesswork. Happy to walk "
        "through how similar teams consolidated it in under a month.",
    ),
    "individual": (
        "Thanks for checking out {content}! Is this something you're researching for your team, "
        "or for a project of your own?",
        "Happy to send over a few resources on lead routing. Who at {company} owns your CRM and "
        "sales process today?",
        "If it's useful, I can share the benchmark data behind {content} and connect you with "
        "someone who can help evaluate it for your team.",
    ),
}

# (key, display_name, time_zone); the team calendar is America/New_York.
REP_NAMES: Final[tuple[tuple[str, str, str], ...]] = (
    ("ana", "Ana Ruiz", "America/New_York"),
    ("marcus", "Marcus Bell", "America/New_York"),
    ("priya", "Priya Raman", "America/New_York"),
    ("devon", "Devon Walsh", "America/New_York"),
    ("tomas", "Tomás Herrera", "America/Chicago"),
    ("freya", "Freya Lindqvist", "Europe/London"),
)

# Reason code -> notes a rep writes when rejecting (codes as in the team policy).
REJECTION_NOTES: Final[dict[str, tuple[str, ...]]] = {
    "R1": (
        "Marketing intern pulling research for a class project; asked who owns RevOps, no answer yet",
        "Individual contributor, no say in tooling; suggested nurturing toward their VP Sales",
        "Office manager downloaded the ebook for her boss; send the champion content to the CRO",
    ),
    "R2": (
        "Just signed a 2-year contract with another vendor; revisit before renewal in Q3",
        "Curious, but no project until after their ERP migration wraps up in the autumn",
        "Said they're 'just benchmarking' this year; re-engage next quarter",
    ),
    "R3": (
        "12-person agency, far below our size floor",
        "Public-sector agency; we don't sell to government in this region",
        "APAC-only operation, outside our current sales territories",
    ),
    "R4": (
        "Works for a direct competitor; the download looks like competitive research",
        "Graduate student writing a thesis on lead scoring, not a buyer",
        "Freelance consultant collecting vendor materials for a client; no buying role",
    ),
    "R5": (
        "Same person already in an open opportunity owned by the AE team",
        "Duplicate of a lead accepted last week under a personal email address",
        "Second form fill from the same contact; merge into the existing record",
    ),
    "R6": (
        "Budget frozen until the new fiscal year starts in April",
        "CFO paused all new software spend after a hiring freeze",
        "Interested, but this year's budget went to a CRM migration; try again in Q2",
    ),
    "R7": (
        "Email bounced and the phone number belongs to a different company",
        "Fake name ('Test Test') and a throwaway email address",
        "Direct line disconnected; LinkedIn shows they left the company in 2024",
    ),
    "R8": (
        "Already a customer on the Growth plan; this is an expansion question for their CSM",
        "Existing customer's admin asking about seat limits; routed to account management",
        "Their parent company is a customer; account team should handle it",
    ),
    "OTHER": (
        "Asked to be contacted only via their reseller",
        "Requested GDPR deletion of their data during the first call",
        "Legal hold: customer is in a contract dispute with us, sales outreach paused",
    ),
}

NEEDS_INFO_NOTES: Final[tuple[str, ...]] = (
    "Email bounces; please enrich with a direct line",
    "No title on the record; can't tell if they have any buying influence",
    "Company size missing and the domain is a holding company; which subsidiary?",
    "Industry says 'Other'; please confirm before I route or reject",
    "Region unclear: US phone number but the company is headquartered in Singapore",
    "Only one blog visit behind this MQL; what triggered the score?",
    "Personal Gmail address; please match to a company domain",
    "Two records for this company with different employee counts; which is right?",
)

ACCEPT_NOTES: Final[tuple[str, ...]] = (
    "Calling re: pricing page visits; suggest ROI workshop",
    "Demo request from a director; booking a discovery call for this week",
    "Attended the forecasting webinar; email with the recording and a call invite",
    "Strong ICP fit and new VP Sales; multi-thread with the RevOps manager",
    "Trial signup from a target account; call to help with setup and qualify",
    "Downloaded the comparison guide; open with the spreadsheet-routing pain",
    "Asked about Salesforce integration; loop in an SE for the first call",
    "Badge scan from the roadshow; follow up referencing the dinner conversation",
    "Replied to nurture with a question on pricing tiers; answer and propose a demo",
    "Recently raised Series B; lead with scaling the SDR team and routing SLAs",
)
