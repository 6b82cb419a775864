"""visavis: private video consultations for counsellors and their clients."""

__version__ = "0.1.0"
