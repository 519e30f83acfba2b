"""Plans of care for staff: create, read, change (revisions), the status machine and
recertification (`/v1/plans`, `/v1/plans/{id}/...`)."""
