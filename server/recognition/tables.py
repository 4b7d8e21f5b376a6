from piccolo.columns import Bytea, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class RecognitionCrop(Table, tablename="recognition_crops"):
    """The stored crop of a recognition alert; the image is a file under the data directory."""

    id: Serial
    alert_id = Integer(null=True, default=None)
    camera_id = Integer(null=True, default=None)
    kind = Varchar(length=10)
    path = Varchar(length=400)
    embedding = Bytea(null=True, default=None)
    created_at = Timestamptz(index=True)


class RecognitionReview(Table, tablename="recognition_reviews"):
    """A dispatcher's verdict on a recognition alert; the latest row of an alert is in force, the
    earlier ones are its history. Migration 0023_recognition_review.py creates it."""

    id: Serial
    alert_id = Integer(index=True)
    verdict = Varchar(length=8)
    note = Varchar(length=2000, default="")
    reviewer = Varchar(length=120)
    negative_photo_id = Integer(null=True, default=None)
    reviewed_at = Timestamptz()
    taught = Varchar(length=20, default="nothing")  # migration 0028 adds it


class RecognitionSubject(Table, tablename="recognition_subjects"):
    """The alert each camera last raised for a person or plate, and when the subject was last
    recorded (server/recognition/subjects.py): the cooldown every node shares. One row per
    (camera_id, subject), a unique index of migration 0026_recognition_subjects.py."""

    id: Serial
    camera_id = Integer()
    subject = Varchar(length=120)
    alert_id = Integer()
    incident_id = Integer(null=True, default=None)
    crop_id = Integer(null=True, default=None)
    last_seen_at = Timestamptz()
