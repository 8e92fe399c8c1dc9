"""Enquiries (首问负责, 咨询): the staff's register and the public's online question."""
