from homeward.errors import Conflict, DomainError, NotFound
from homeward.transfers.models import TransferStatus


class TransferNotFound(NotFound):
    slug, title = "transfer-not-found", "No such transfer"


class DocumentNotFound(NotFound):
    slug, title = "document-not-found", "No such document"


class TransferClosed(Conflict):
    slug, title = "transfer-status-conflict", "The transfer's status does not allow this"

    def __init__(self, action: str, status: TransferStatus) -> None:
        super().__init__(f"Cannot {action} a transfer that is {status.value.replace('_', ' ')}")


class DocumentTooLarge(DomainError):
    status, slug, title = 413, "document-too-large", "The document is too large"


class DocumentNotPdf(DomainError):
    status, slug, title = 415, "document-not-pdf", "Send the document as a PDF"
