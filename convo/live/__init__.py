"""The live conversation: shared screen, participants' devices and the state they follow."""
