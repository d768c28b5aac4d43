"""Follow-up plugin: personal follow-up PDFs, a follow-up plan in the calendar, the host report."""
