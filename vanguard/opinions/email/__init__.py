"""The e-mail channel (电子信箱): reading a message (`mime`, bytes in, no database),
storing it as an opinion (`services`), and fetching new mail from a unit's
mailboxes over IMAP (`polling`)."""
