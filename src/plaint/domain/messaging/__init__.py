"""The pure rules of e-mail in and out: composing a message whose headers cannot be
injected into (`compose`), recognising automatic mail (`automatic`, RFC 3834), threading
a message to a case (`threading`), trimming quoted history and signatures for display
(`trimming`) and making received HTML safe to show (`sanitise`). No Django, no clock."""
