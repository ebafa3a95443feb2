"""The scripts of the Make targets; scripts/python holds their Python helpers."""
