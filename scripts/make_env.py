"""Write .env once, with freshly generated development keys (never committed)."""

import secrets
import sys
from pathlib import Path

path = Path(sys.argv[1] if len(sys.argv) > 1 else ".env")
if path.exists():
    sys.exit(0)
path.write_text(
    "# Development settings, generated once by `make run`. Never commit this file.\n"
    f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
    f"IDENTITY_HMAC_KEY={secrets.token_urlsafe(50)}\n"
    f"BANK_DETAILS_KEY={secrets.token_urlsafe(50)}\n"
)
path.chmod(0o600)
print(f"Wrote {path} with new development keys.")
