from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentType(models.TextChoices):
    SEIZURE = "seizure", _("Seizure")
    STOPPED = "stopped", _("Stopped or suspended shipment")
    DIVERSION = "diversion", _("Attempted diversion")
    THEFT = "theft", _("Theft or loss")
    MANUFACTURE = "manufacture", _("Illicit manufacture site")
    SUSPICIOUS_ORDER = "suspicious_order", _("Suspicious order or enquiry")


class IncidentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned with comments")
    VALIDATED = "validated", _("Validated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses of a record that has been shared (its recipients recorded).
SHARED_STATUSES = (
    IncidentStatus.SUBMITTED,
    IncidentStatus.RETURNED,
    IncidentStatus.VALIDATED,
    IncidentStatus.WITHDRAWN,
)
# Records counted in the statistics and the data-quality figures.
COUNTED_STATUSES = (IncidentStatus.SUBMITTED, IncidentStatus.VALIDATED)
# Records the reporting side may still correct.
CORRECTABLE_STATUSES = (IncidentStatus.SUBMITTED, IncidentStatus.RETURNED, IncidentStatus.VALIDATED)


class LocationType(models.TextChoices):
    SEAPORT = "seaport", _("Seaport")
    AIRPORT = "airport", _("Airport")
    LAND_BORDER = "land_border", _("Land border")
    INLAND = "inland", _("Inland")
    POSTAL_HUB = "postal_hub", _("Postal or express hub")


class Direction(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    TRANSIT = "transit", _("Transit")
    DOMESTIC = "domestic", _("Domestic")


class DetectionMethod(models.TextChoices):
    ROUTINE = "routine", _("Routine control")
    RISK_PROFILING = "risk_profiling", _("Risk profiling")
    INTELLIGENCE = "intelligence", _("Intelligence")
    INVESTIGATION = "investigation", _("Investigation")
    RANDOM = "random", _("Random selection")
    DEVICE = "device", _("Detection device")
    CANINE = "canine", _("Canine")
    OTHER = "other", _("Other")


class Conveyance(models.TextChoices):
    AIR = "air", _("Air")
    VESSEL = "vessel", _("Vessel")
    VEHICLE = "vehicle", _("Vehicle")
    RAIL = "rail", _("Rail")
    PEDESTRIAN = "pedestrian", _("Pedestrian")
    POSTAL = "postal", _("Postal")
    EXPRESS = "express", _("Express courier")
    UNKNOWN = "unknown", _("Unknown")


class Source(models.TextChoices):
    NCP_REPORT = "ncp_report", _("NCP report")
    OPERATION = "operation", _("Operation")
    OPEN_SOURCE = "open_source", _("Open source")


class RouteRole(models.TextChoices):
    DEPARTURE = "departure", _("Departure")
    TRANSIT = "transit", _("Transit")
    DESTINATION = "destination", _("Destination")


class PartyRole(models.TextChoices):
    CONSIGNOR = "consignor", _("Consignor")
    CONSIGNEE = "consignee", _("Consignee")
    BROKER = "broker", _("Broker")
    CARRIER = "carrier", _("Carrier")
    MANUFACTURER = "manufacturer", _("Manufacturer")


class PersonRole(models.TextChoices):
    DRIVER = "driver", _("Driver")
    PASSENGER = "passenger", _("Passenger")
    COURIER = "courier", _("Courier")
    SUSPECT = "suspect", _("Suspect")
    REPRESENTATIVE = "representative", _("Company representative")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not known")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class VersionChange(models.TextChoices):
    SUBMISSION = "submission", _("Submission")
    CORRECTION = "correction", _("Correction")
    WITHDRAWAL = "withdrawal", _("Withdrawal")


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    RETURN = "return", _("Returned with comments")
    VALIDATION = "validation", _("Validation")
