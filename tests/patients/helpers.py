from typing import Any

PATIENT: dict[str, Any] = {
    "given_name": "Ana",
    "family_name": "Reyes",
    "date_of_birth": "1990-04-12",
    "sex": "female",
    "phone": "+1 312 555 0101",
    "email": "ana.reyes@example.com",
}
