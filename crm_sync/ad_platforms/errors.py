"""What a platform client raises, in three kinds the importers and tasks act on."""


class PlatformError(Exception):
    """The platform refused the request; retrying the same request will not help (bad query, ...)."""

    def __init__(self, message: str, *, code=None, request_id: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.code, self.request_id, self.retry_after = code, request_id, retry_after


class PlatformRetryableError(PlatformError):
    """Throttled, or the platform is down or slow: trying again later can succeed."""


class PlatformAuthError(PlatformError):
    """The credentials are wrong, expired or lack access: an admin must fix them."""
