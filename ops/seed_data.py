"""Reference data every installation starts with: the clinics, visit types, neuroma exercises.

Clinical content follows the clinic's own material (shared/reference/clinical-facts.md),
written in our words for patients to read at home.
"""

from typing import Any

WEEKDAY_HOURS = [{"weekday": d, "opens": "07:00", "closes": "19:00"} for d in range(5)]
SATURDAY_HOURS = [{"weekday": 5, "opens": "08:00", "closes": "13:00"}]

LOCATIONS: list[dict[str, Any]] = [
    {
        "slug": "gaithersburg",
        "name": "Gaithersburg clinic",
        "street": "401 Professional Drive",
        "city": "Gaithersburg",
        "state": "MD",
        "postal_code": "20879",
        "phone": "+13015550140",
        "time_zone": "America/New_York",
        "opening_hours": WEEKDAY_HOURS + SATURDAY_HOURS,
        "rooms": ["Treatment 1", "Treatment 2", "Treatment 3", "Gym"],
    },
    {
        "slug": "frederick",
        "name": "Frederick clinic",
        "street": "1550 Opossumtown Pike",
        "city": "Frederick",
        "state": "MD",
        "postal_code": "21702",
        "phone": "+13015550150",
        "time_zone": "America/New_York",
        "opening_hours": WEEKDAY_HOURS,
        "rooms": ["Treatment 1", "Treatment 2", "Gym"],
    },
    {
        "slug": "columbia",
        "name": "Columbia clinic",
        "street": "10710 Charter Drive",
        "city": "Columbia",
        "state": "MD",
        "postal_code": "21044",
        "phone": "+14105550160",
        "time_zone": "America/New_York",
        "opening_hours": WEEKDAY_HOURS + SATURDAY_HOURS,
        "rooms": ["Treatment 1", "Treatment 2", "Gym"],
    },
]

APPOINTMENT_TYPES: list[dict[str, Any]] = [
    {
        "slug": "evaluation",
        "name": "Initial evaluation",
        "duration_minutes": 60,
        # Billed by the complexity found at the visit: low, moderate (the usual), high.
        "procedure_code": "97162",
        "alternative_codes": ["97161", "97163"],
    },
    {
        "slug": "treatment",
        "name": "Treatment visit",
        "duration_minutes": 45,
        "procedure_code": "97110",
    },
    {
        "slug": "re-evaluation",
        "name": "Re-evaluation",
        "duration_minutes": 45,
        "procedure_code": "97164",
    },
]

NEUROMA_TAGS = ["mortons-neuroma", "forefoot"]

EXERCISES: list[dict[str, Any]] = [
    {
        "slug": "toe-spreads",
        "name": "Toe spreads",
        "purpose": (
            "Builds the small muscles between the toes and keeps the toes lined up, "
            "which leaves more room for the irritated nerve in the ball of the foot."
        ),
        "instructions": (
            "Sit or stand with the foot flat on the floor. Spread all your toes apart as wide "
            "as you can, hold them there for 3 to 5 seconds, then let them relax. "
            "Do 10 to 15 repetitions."
        ),
        "body_region": "foot",
        "setting": "both",
        "equipment": ["none"],
        "setup": None,
        "cues": [
            "Sitting or standing, keep the whole foot flat on the floor.",
            "Fan the toes out as far as they go, the little toe out to the side.",
            "Keep the spread for 3 to 5 seconds, then let the toes go loose.",
            "Do 10 to 15 of them; no equipment is needed.",
        ],
        "default_sets": None,
        "default_reps": 10,
        "default_reps_max": 15,
        "default_hold_seconds": 3,
        "default_hold_seconds_max": 5,
        "default_times_per_day": 1,
        "default_days_per_week": 7,
        "default_side": "each",
        "dosage_note": "10 to 15 repetitions, each held 3 to 5 seconds.",
        "precautions": "Stop if the burning or tingling in the ball of the foot gets worse.",
        "tags": [*NEUROMA_TAGS, "strength", "intrinsic-foot"],
    },
    {
        "slug": "toe-press-downs",
        "name": "Toe press-downs",
        "purpose": (
            "Strengthens the muscles under the foot so they share the load that otherwise "
            "presses on the nerve."
        ),
        "instructions": (
            "Use a cable machine with the pulley set low and the strap around your toes. "
            "Keep your heel on the floor and press the toes down against the resistance, then "
            "let them come back up slowly. Work one foot at a time."
        ),
        "body_region": "foot",
        "setting": "clinic",
        "equipment": ["cable-machine", "foot-strap"],
        "setup": "Cable machine with a low pulley and a foot strap",
        "cues": [
            "Set the pulley low and put the strap around the toes.",
            "Keep the heel on the floor from start to finish.",
            "Push the toes down against the pull, then let them rise slowly.",
            "Work one foot at a time; your therapist sets the load and the count.",
        ],
        "default_sets": None,
        "default_reps": None,
        "default_hold_seconds": None,
        "default_times_per_day": None,
        "default_days_per_week": None,
        "default_side": "each",
        "dosage_note": "Your therapist sets the sets, repetitions and resistance.",
        "precautions": "Keep the heel down; lighten the weight if the forefoot pain sharpens.",
        "tags": [*NEUROMA_TAGS, "strength", "equipment"],
    },
    {
        "slug": "gastroc-soleus-stretch",
        "name": "Calf stretch (gastrocnemius and soleus)",
        "purpose": (
            "Loosens a tight calf so the heel does not lift early when you walk, which takes "
            "load off the front of the foot."
        ),
        "instructions": (
            "Stand facing a wall with your hands on it. Step one foot back and keep that heel "
            "on the floor. Lean forward until you feel a stretch in the calf of the back leg. "
            "Hold 20 to 30 seconds. Do it 2 to 3 times on each leg."
        ),
        "body_region": "ankle",
        "setting": "both",
        "equipment": ["wall"],
        "setup": "A wall",
        "cues": [
            "Face the wall with both hands flat on it.",
            "Step one foot back, its toes pointing straight ahead.",
            "Keep the back heel down and the back knee straight.",
            "Lean in until the calf pulls gently, and stay there 20 to 30 seconds.",
            "Stretch each leg 2 to 3 times.",
        ],
        "default_sets": None,
        "default_reps": 2,
        "default_reps_max": 3,
        "default_hold_seconds": 20,
        "default_hold_seconds_max": 30,
        "default_times_per_day": 1,
        "default_days_per_week": 7,
        "default_side": "each",
        "dosage_note": "Hold 20 to 30 seconds, 2 to 3 times per leg.",
        "precautions": "A stretch, never pain: ease off if you feel pain rather than pull.",
        "tags": [*NEUROMA_TAGS, "mobility", "stretch"],
    },
    {
        "slug": "single-leg-balance",
        "name": "Single-leg balance",
        "purpose": "Trains balance and the small stabilising muscles of the foot and ankle.",
        "instructions": (
            "Stand on one foot with the knee slightly bent for 20 to 30 seconds. Keep a wall "
            "within reach and touch it if you need to. Do it 2 to 3 times on each side."
        ),
        "body_region": "foot",
        "setting": "both",
        "equipment": ["none"],
        "setup": "A wall for support if needed",
        "cues": [
            "Stand tall next to a wall or a sturdy counter.",
            "Lift one foot; keep the standing knee a little bent.",
            "Stay up for 20 to 30 seconds, touching the wall only if you need to.",
            "Do it 2 to 3 times on each side.",
        ],
        "default_sets": None,
        "default_reps": 2,
        "default_reps_max": 3,
        "default_hold_seconds": 20,
        "default_hold_seconds_max": 30,
        "default_times_per_day": 1,
        "default_days_per_week": 7,
        "default_side": "each",
        "dosage_note": "Hold 20 to 30 seconds, 2 to 3 times per side.",
        "precautions": "Stand near a wall or sturdy counter so you cannot fall.",
        "tags": [*NEUROMA_TAGS, "balance", "proprioception"],
    },
]

DEMO_ACCOUNTS: list[dict[str, str]] = [
    {"email": "admin@clinic.example", "display_name": "Demo Administrator", "role": "admin"},
    {"email": "therapist@clinic.example", "display_name": "Demo Therapist", "role": "therapist"},
    {"email": "frontdesk@clinic.example", "display_name": "Demo Front Desk", "role": "front_desk"},
]

# The neuroma protocol. Exercises name the library's slugs (seeding resolves them to ids); a
# part of None puts the exercise in the home program when the patient has its equipment.
PROTOCOLS: list[dict[str, Any]] = [
    {
        "slug": "mortons-neuroma",
        "name": "Morton's neuroma",
        "condition": "Morton's neuroma (lesion of the plantar nerve, interdigital neuroma)",
        "description": (
            "Conservative care for a thickened, irritated nerve in the ball of the foot, most "
            "often between the third and fourth toes: roomier shoes, offloading the nerve with "
            "a pad, stronger small foot muscles, a more mobile ankle and a steadier arch."
        ),
        "icd10_codes": ["G57.60", "G57.61", "G57.62", "G57.63"],
        "default_frequency_per_week": 2,
        "default_duration_weeks": 6,
        "exercises": [
            {
                "slug": "toe-spreads",
                "part": None,
                "dosage": {
                    "sets": 1,
                    "reps": 10,
                    "reps_max": 15,
                    "hold_seconds": 3,
                    "hold_seconds_max": 5,
                    "times_per_day": 1,
                    "days_per_week": 5,
                    "side": "each",
                },
            },
            {"slug": "toe-press-downs", "part": None, "dosage": {"side": "each"}},
            {
                "slug": "gastroc-soleus-stretch",
                "part": None,
                "dosage": {
                    "reps": 2,
                    "reps_max": 3,
                    "hold_seconds": 20,
                    "hold_seconds_max": 30,
                    "times_per_day": 1,
                    "days_per_week": 7,
                    "side": "each",
                },
            },
            {
                "slug": "single-leg-balance",
                "part": None,
                "dosage": {
                    "reps": 2,
                    "reps_max": 3,
                    "hold_seconds": 20,
                    "hold_seconds_max": 30,
                    "times_per_day": 1,
                    "days_per_week": 5,
                    "side": "each",
                },
            },
        ],
        "education": [
            {
                "slug": "wide-toe-box-shoes",
                "title": "Shoes with room for your toes",
                "text": (
                    "Choose shoes with a wide, deep toe box and a low heel, so the bones at the "
                    "front of the foot are not squeezed against the nerve. Narrow shoes and "
                    "high heels tend to bring the burning back."
                ),
            },
            {
                "slug": "neuroma-pad",
                "title": "Metatarsal (neuroma) pad",
                "text": (
                    "A small pad placed just behind the ball of the foot spreads the bones "
                    "apart a little and takes pressure off the nerve. Your therapist shows you "
                    "where it goes; wear it in your everyday shoes."
                ),
            },
            {
                "slug": "ankle-mobility",
                "title": "Keep the ankle moving",
                "text": (
                    "A stiff ankle makes the heel lift early when you walk, which pushes your "
                    "weight onto the front of the foot. The calf stretch keeps the ankle free."
                ),
            },
            {
                "slug": "arch-stability",
                "title": "A steadier arch",
                "text": (
                    "Strong small muscles in the foot hold the arch and spread the load across "
                    "the forefoot. Toe spreads and balance work build them."
                ),
            },
        ],
        "red_flags": {
            "pain_at_least": 7,
            "pain_rising_logs": 3,
            "new_numbness": True,
            "medical_options": [
                "corticosteroid injection",
                "alcohol (sclerosing) injection",
                "surgical removal of the nerve (neurectomy)",
            ],
            "advice": (
                "Call the clinic if the pain reaches 7 out of 10, keeps climbing from one "
                "session to the next, or your toes go numb."
            ),
        },
        "goals": [
            {
                "text": "Does the home program 5 days a week with forefoot pain at most 3/10",
                "term": "short",
                "weeks": 3,
            },
            {
                "text": "Walks 30 minutes in everyday shoes with forefoot pain at most 2/10",
                "term": "long",
                "weeks": 6,
            },
        ],
    },
]
