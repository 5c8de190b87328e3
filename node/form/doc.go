// Package form validates what officers and residents type into service forms:
// NIK and KK numbers, WhatsApp numbers, names, free text and photo uploads.
// Every failure is a *FieldError naming the field, with a message in Bahasa
// Indonesia that can be shown to officers as-is.
package form
