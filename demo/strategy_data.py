"""The six strategies of the June 2019 Executive report, as data.

Narratives are written in our own words from the seed highlight reports; people are role titles.
"""

from typing import Any

ACCW_SPONSOR = "Executive Director – Adult Care and Community Wellbeing"
PP_SPONSOR = "Executive Director – Finance and Public Protection"

# Order of the Executive report's Appendix A.
STRATEGIES: list[dict[str, Any]] = [
    {
        "name": "Specialist Adult Services",
        "directorate": "ACCW",
        "sponsor": ACCW_SPONSOR,
        "lead": "lead.sas",
        "lead_officer": "",
        # The seed leaves the template's "Analyse, Plan, Do, Review" unedited: no stage is recorded.
        "stages": (),
        "purpose": "The purpose of this commissioning strategy is to improve the wellbeing of adults with learning "
        "disability, autism and/or mental health needs with sustainable resources.",
        "summary": "Commissions adult social care for adults aged 18 and over with a learning disability and/or "
        "autism, and for adults aged 18 to 64 with mental health needs. Eligible people have a care and support "
        "plan and a personal budget, which the Council uses to arrange services or which the person takes as a "
        "direct payment. Most services are jointly commissioned through two section 75 agreements: with the "
        "Lincolnshire clinical commissioning groups for learning disability services and with Lincolnshire "
        "Partnership NHS Foundation Trust for mental health services. The main pressures are growing numbers and "
        "complexity of need, shrinking spare capacity in residential, nursing and community services, and rising "
        "provider costs linked to the National Living Wage and to recruitment of nurses and care staff.",
        "needs": "Needs come from the Joint Strategic Needs Assessment chapters on learning disability, mental "
        "health and (new this year) autism, from specific needs assessments completed with Public Health, from the "
        "joint commissioning boards' priorities, and from workshops where people who use services and their carers "
        "set the outcomes that matter to them.",
        "outcomes": [
            "Maintain or improve health and wellbeing",
            "Enhanced quality of life and care for people with learning disability, autism and or mental illness",
            "Maintained or improved levels of independence and control",
            "Parity of esteem – in particular reduced inequality of life expectancy",
            "People have a positive experience of care",
            "Improved transition to adulthood",
            "Employment and vocational opportunities",
            "Increased affordable housing options within the community",
            "Friendships and self-care opportunities facilitated via community capacity building",
            "Improved access to universal support including reduced need for transport",
        ],
        "pooled_text": "Pooled budget with risk share for learning disability services with the four Lincolnshire "
        "clinical commissioning groups; section 75 budget with risk share with LPFT for adult mental health; the "
        "Transforming Care Plan and the All Age Autism Strategy; the Specialist Adult Services Joint Delivery "
        "Board and the Learning Disability and Autism Partnership Boards.",
        "property": "Older properties run by Adult Care are being reviewed for transfer to the corporate estate. "
        "Modernisation of in-house services is nearly complete, with a replacement for Grantham the main "
        "priority. Capital investment in residential and community living could cut future revenue costs and "
        "fill gaps in the market.",
        "commercial": "Remaining in-house day services and a re-provided Shared Lives scheme could sit within a "
        "Council trading arm.",
        "rag": "",  # the seed leaves the Status (RAG) blank
        "completed_by": "Head of Commissioning – Specialist Adult Services",
        "meeting": ("acw", "2018-09-05"),
        "conclusion": "An expert by experience gave the Committee first-hand information about these services. "
        "The Committee asked the Executive to note: the importance of annual NHS/GP health checks for people with "
        "learning disabilities; that the new operating model for in-house day services should be considered; its "
        "support for a stronger residential care specification in the re-provision, for example a stimulating "
        "daily routine for residents; and that changes to provision need wider community engagement. It also "
        "asked for a short annual position statement on the strategy.",
        "intentions": [
            (
                "Residential care",
                "Re-provide learning disability residential care under a new cost model",
                "do",
                "review",
            ),
            ("Community living", "Grow shared lives and affordable housing options in the community", "plan", "do"),
            ("Day opportunities", "Move remaining in-house day services to a new operating model", "analyse", "plan"),
        ],
        "risks": [
            (
                "Rising numbers and complexity of eligible adults",
                "Demand outstrips the places the market can offer",
                "Out-of-county placements at higher cost and further from family",
                "high",
            ),
            (
                "National Living Wage and nurse shortages",
                "Providers raise fees or hand back packages",
                "Budget pressure and disruption for people using services",
                "medium",
            ),
        ],
    },
    {
        "name": "Safeguarding Adults",
        "directorate": "ACCW",
        "sponsor": ACCW_SPONSOR,
        "lead": "lead.sas",
        "lead_officer": "County Manager – Adult Safeguarding",
        # The seed leaves the template's "Analyse, Plan, Do, Review" unedited: no stage is recorded.
        "stages": (),
        "purpose": "The purpose of this commissioning strategy is that vulnerable adults' rights are protected so "
        "that everyone can live safely and free from abuse and neglect.",
        "summary": "Covers four areas: the Lincolnshire Safeguarding Adults Board, the statutory multi-agency "
        "partnership that also runs safeguarding adult reviews; the Adult Safeguarding Team, which co-ordinates "
        "referrals, section 42 enquiries and protection plans; the Deprivation of Liberty Safeguards team; and the "
        "Emergency Duty Team, which gives an out-of-hours social care and Approved Mental Health Professional "
        "response. Most of this is delivered in-house, with some services bought from LPFT. Referrals and section "
        "42 enquiries have grown since the Care Act, and the Cheshire West judgement has left a backlog of "
        "Deprivation of Liberty applications that needs a risk-based response.",
        "needs": "Statutory duties under the Care Act and its guidance set the baseline; the Joint Strategic Needs "
        "Assessment's safeguarding topic and the Safeguarding Adults Board's multi-agency priorities set the "
        "local focus.",
        "outcomes": [
            "Safeguarding adults whose circumstances make them vulnerable, protecting them from avoidable harm and "
            "acting in their best interests where they lack capacity",
            "Making Safeguarding Personal",
            "Authorising deprivation of liberty where this is in the person's best interests",
            "Wherever possible preventing the demand for safeguarding referrals and interventions",
        ],
        "pooled_text": "The Lincolnshire Safeguarding Adults Board is funded at £40k a year by each lead agency: "
        "the Council, Lincolnshire Police and the Lincolnshire clinical commissioning groups.",
        "property": "None.",
        "commercial": "None.",
        "rag": "",  # the seed leaves the Status (RAG) blank
        "completed_by": "County Manager – Adult Safeguarding",
        "meeting": ("acw", "2018-09-05"),
        "conclusion": "The Committee stressed four things in the strategy: Making Safeguarding Personal, better "
        "ways of working, continuing to evaluate safeguarding, and keeping early intervention and prevention in "
        "safeguarding practice. It concluded that safeguarding had improved significantly over the last few years.",
        "intentions": [
            ("Prevention", "Develop a Lincolnshire safeguarding prevention strategy with partner boards", "plan", "do"),
            ("Deprivation of Liberty", "Clear the backlog of applications with a risk-based approach", "do", "review"),
        ],
        "risks": [
            (
                "Growth in Deprivation of Liberty applications after Cheshire West",
                "Applications are not assessed in time",
                "People are deprived of liberty without authorisation",
                "high",
            ),
        ],
    },
    {
        "name": "Carers",
        "directorate": "ACCW",
        "sponsor": ACCW_SPONSOR,
        "lead": "lead.carers",
        "lead_officer": "Carers Programme Manager",
        "stages": ("do", "review"),
        "purpose": "The purpose of this commissioning strategy is to help carers build resilience in their caring "
        "role and to prevent young carers from taking on inappropriate caring roles, protecting them from harm. "
        "Carers should have appropriate access to support which enables them to improve their quality of life and "
        "help prevent crisis.",
        "summary": "Supports unpaid family carers of every age, including young carers, young adult carers and "
        "parent carers, looking after people with dementia, mental ill-health, physical or learning disabilities, "
        "autism, long-term conditions, substance misuse or at the end of life. The aim is that carers are "
        "identified early and get information, advice and help soon enough to keep a balanced life and look after "
        "their own health.",
        "needs": "Carers were consulted widely on the Joint Carers Strategy and designed its outcomes. A strategic "
        "needs analysis (carers' views, performance data, service reviews and quality assurance) produced four "
        "themes – early help, collaboration, assurance and workforce development – and after a co-production "
        "workshop in 2017 the carers chapter of the Joint Strategic Needs Assessment was rewritten.",
        "outcomes": [
            "Carers feel valued and respected and able to maintain their caring roles",
            "Carers can balance their caring roles and maintain their desired quality of life",
            "Carers are able to find employment, maintain a family and social life and avoid isolation",
            "Carers are satisfied with their experience of care and support services",
            "Carers know what choices are available to them locally and who to contact when they need help",
        ],
        "pooled_text": "Better Care Fund grant to Every-One for the Carers Quality Award (£231,875, 30 September "
        "2017 to 31 March 2020); Better Care Fund contract variation with Carers FIRST for new early-help projects "
        "(£1,161,091, same period); the Dementia Family Support Service co-commissioned with Adult Frailty and "
        "Long Term Conditions; young carers supported through Children's Services early help.",
        "property": "Carers FIRST rent an office base in Grantham, use Council touchdown points and are based in "
        "the acute hospitals at Lincoln, Boston and Grantham.",
        "commercial": "",
        "rag": "",  # the seed leaves the Status (RAG) blank
        "completed_by": "Carers Programme Manager",
        "meeting": ("acw", "2018-10-10"),
        "conclusion": "The Committee heard that caring is not always a full-time role and supported work helping "
        "carers into employment where they want it. It welcomed that the strategy covers all ages, with young "
        "carers supported through early help and schools, and the strong links with housing and district "
        "councils. It looked forward to an online carers portal where carers can connect with each other.",
        "intentions": [
            ("Early help", "Identify carers earlier through GP practices, pharmacies and hospitals", "do", "review"),
            ("Re-procurement", "Review the carers service ahead of re-procurement in 2019", "analyse", "plan"),
        ],
        "risks": [
            (
                "Carers are not identified until crisis",
                "Carers break down in their caring role",
                "Emergency admissions and replacement care costs",
                "medium",
            ),
        ],
    },
    {
        "name": "Adult Frailty and Long Term Conditions",
        "directorate": "ACCW",
        "sponsor": ACCW_SPONSOR,
        "lead": "lead.frailty",
        "lead_officer": "Adult Frailty and Long Term Conditions Programme Manager",
        # The seed leaves the template's "Analyse, Plan, Do, Review" unedited: no stage is recorded.
        "stages": (),
        "purpose": "The purpose of this commissioning strategy is to outline the local authority's intentions in "
        "Adult Care Commissioning for Adult Frailty and Long Term Conditions across Lincolnshire, focusing on "
        "supporting people to live in their own homes for as long as they wish through high quality, personalised "
        "services that give people choice and control.",
        "summary": "Supports older people, people with physical disabilities and people with sensory impairments "
        "who have eligible needs under the Care Act. The service assesses and reviews needs and makes sure "
        "commissioned services or direct payments meet them, supporting more than 11,000 people and their carers "
        "across the county.",
        "needs": "The strategy was consulted on in 2016 with user groups and stakeholders. The service leads the "
        "needs assessment topics on physical disability, sensory impairment, dementia and long-term conditions, "
        "had an ADASS peer review in 2016, and draws on contract management, annual user surveys, three-yearly "
        "independent reviews of residential fees, and engagement with members and user and carer groups.",
        "outcomes": [
            "Delay and reduce the need for care and support",
            "Enhance the quality of life for people with care and support needs",
            "Ensure that people have a positive experience of care and support",
        ],
        "pooled_text": "The Dementia Family Support Service is co-commissioned and part funded by NHS money for "
        "carers; step up and step down block beds are jointly commissioned with LCHS.",
        "property": "Stamford Day Centre is being modernised; funding has been set aside and work has started.",
        "commercial": "",
        "rag": "green",
        "completed_by": "Adult Frailty and Long Term Conditions Programme Manager",
        "meeting": ("acw", "2018-10-10"),
        "conclusion": "The Committee heard that work was under way with Public Health and Specialist Adult "
        "Services on better use of the Council's buildings, and that few homes suit people with disabilities, so "
        "the strategy must link with housing. Rural transport costs can stop people getting into town; the "
        "Committee encouraged creative options such as people jointly commissioning small services, more digital "
        "engagement and support for self-care so people stay independent for longer.",
        "intentions": [
            ("Home care", "Re-procure two home care zones and review home care ahead of 2020", "do", "review"),
            ("Reablement", "Secure continuity of the home based reablement service", "do", "review"),
            ("Residential care", "Implement the new residential and nursing framework", "do", "review"),
        ],
        "risks": [
            (
                "Fragile home care market and care worker shortages",
                "A major provider fails",
                "People lose care at home and hospital discharges are delayed",
                "high",
            ),
            (
                "Care home fee pressures",
                "Homes close or leave the framework",
                "Residents must move and choice reduces",
                "medium",
            ),
        ],
    },
    {
        "name": "Community Wellbeing",
        "directorate": "PH",
        "sponsor": ACCW_SPONSOR,
        "lead": "lead.wellbeing",
        "lead_officer": "Executive Councillor's Public Health Adviser",
        # The seed leaves the template's "Analyse, Plan, Do, Review" unedited: no stage is recorded.
        "stages": (),
        "purpose": "The purpose of this commissioning strategy is to improve the health and wellbeing of people in "
        "Lincolnshire, best achieved when people are supported to be independent, make healthier choices and live "
        "healthier lives.",
        "summary": "Aims for people who live and work in Lincolnshire to lead long, healthy and happy lives, "
        "improving and protecting health while reducing inequalities. Covers public health services mandated by "
        "the Health and Social Care Act 2012, services mandated by the Care Act 2014, other public health "
        "functions and the Council's wider wellbeing priorities: buying good-value services where people need "
        "specific help, influencing the NHS and others, and assuring the work of agencies that protect people "
        "from disease and hazards.",
        "needs": "Customers, patients, service users and stakeholders have shaped these services from needs "
        "analysis through to procurement; the needs analyses are published with the Joint Strategic Needs "
        "Assessment.",
        "outcomes": [
            "People are supported to live healthier lifestyles",
            "People are able to live life to the full and maximise their independence",
            "People's health and wellbeing is protected",
            "Work with others to promote community wellbeing",
        ],
        "pooled_text": "Section 75 agreement with NHS England for HIV treatment within the sexual health contract "
        "(£1,267,617); a social impact bond for entrenched rough sleepers funded by government (about £1.3m); "
        "mental health crisis housing funded by West Lincolnshire CCG (£491,368); section 75 agreement for the "
        "Integrated Community Equipment Service, with the NHS contributing £3,132,000 (54%) of £5,800,000.",
        "property": "None identified.",
        "commercial": "Procurement and contract management for this strategy sit with Commercial Services – "
        "People Services, which keeps commercial options under continual review.",
        "rag": "green",
        "completed_by": "Consultant in Public Health",
        "meeting": ("acw", "2018-10-10"),
        "conclusion": "The Committee asked the Executive to note the benefits of working with district councils, "
        "businesses and others on wellbeing; the value of using the Council's own assets within a mixed economy "
        "supporting healthy lifestyles; the scope for creative charging to encourage take-up; and the importance "
        "of community groups in developing healthy activities.",
        "intentions": [
            ("Lifestyles", "Replace the stop smoking service with an integrated lifestyle service", "plan", "do"),
            (
                "Housing related support",
                "Review housing related support before the contracts end in 2020",
                "analyse",
                "plan",
            ),
        ],
        "risks": [
            (
                "Reductions in the public health grant",
                "Services cannot be sustained at current levels",
                "Poorer outcomes and wider health inequalities",
                "medium",
            ),
        ],
    },
    {
        "name": "Public Protection",
        "directorate": "PP",
        "sponsor": PP_SPONSOR,
        "lead": "lead.protection",
        "lead_officer": "",
        "stages": ("plan",),
        "purpose": "The purpose of this commissioning strategy is to create an environment that enables the people "
        "of Lincolnshire to succeed and prosper, to ensure the public feel protected and secure and that those "
        "that are most vulnerable are safeguarded.",
        "summary": "Public Protection keeps communities safe and helps them feel safe, across safeguarding and "
        "wellbeing. A key theme is bringing partners together – Trading Standards, Community Safety, Registration "
        "and Coroners, Highways, Children's and Adult services, the Police and Crime Commissioner, the Police, "
        "district councils and Probation – much of it through the statutory community safety, safeguarding and "
        "road safety partnerships. (Fire and rescue is not included.)",
        "needs": "A community survey by the community safety partnership, analysis of outcomes and current issues, "
        "feedback from survivors of domestic abuse, national crime surveys and the Police and Crime Commissioner's "
        "engagement, Trading Standards' strategic threat assessments and road collision analysis.",
        "outcomes": [
            "The public are protected from unsafe and dangerous goods",
            "Vulnerable repeat victims of scams are protected",
            "Improve public safety by the reduction in drugs and alcohol misuse",
            "Increase public confidence in how we tackle domestic abuse",
            "Reduce the number of people killed and seriously injured on Lincolnshire's roads",
            "Reduce adult reoffending",
            "Reduce the number of young people committing a crime",
            "Reduce young people entering the criminal justice system",
            "Ensure the integrity of citizenship and nationality routes and prevent sham marriage",
            "Ensure the integrity of death investigation by coroners and support the prevention of further deaths",
            "Reduce fires and their consequences",
        ],
        "pooled_text": "Income from the strategic partnership with the Office of the Police and Crime Commissioner "
        "funds National Driver Offender Retraining Scheme courses (about £1.65m).",
        "property": "The ARC team shares a room at Myle Cross with police, probation, youth offending and health "
        "colleagues.",
        "commercial": "To be considered in the draft strategy; already used in celebratory services and Trading "
        "Standards.",
        "rag": "",  # the seed leaves the Status (RAG) blank
        "completed_by": "County Officer – Public Protection",
        "meeting": ("ppc", "2019-03-12"),
        "conclusion": "The Committee heard that some performance measures were still in draft and being revised "
        "with the Executive Councillor. It welcomed domestic abuse as a high priority; asked why sexual violence "
        "had been deprioritised and was assured a local team was working on it and priorities are reassessed "
        "regularly; noted there was no evidence of rising knife crime but that it is monitored closely; and noted "
        "that deaths cannot always be registered within five days, which has been raised with the County Coroner.",
        "intentions": [
            ("Domestic abuse", "Re-procure domestic abuse outreach and IDVA services", "plan", "do"),
            ("Road safety", "Deliver the annual engineering safety scheme programme", "do", "review"),
        ],
        "risks": [
            (
                "End of fixed-term funding for the ARC co-ordinator",
                "The reoffending programme loses its co-ordinator",
                "Adult reoffending rises",
                "medium",
            ),
        ],
    },
]
