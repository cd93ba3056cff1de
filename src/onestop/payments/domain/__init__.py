"""Pure payment rules with no Django import: Thai QR payloads, QR images, HMAC signing.

The bank sandbox (`onestop.banksim`, a separate program) uses these modules too.
"""
