"""Postal dispatch (政务专递): one case one parcel, its handover, confirmation and service level."""
