"""Exports of a checked pathway for other systems: HL7 FHIR (CPG-on-FHIR) and plain JSON. Pure: model in, bytes out."""
