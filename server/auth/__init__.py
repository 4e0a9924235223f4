"""Who is asking and what they may do: passwords and tokens, principals, the role matrix,
CSRF, cookies and failure counting. Nothing here holds booth or media state."""
