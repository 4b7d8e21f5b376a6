"""Frames in, detections out: faces against watchlists, licence plates against lists."""
