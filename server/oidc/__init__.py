"""Single sign-on through the city's identity provider (OpenID Connect, authorization code with
PKCE): `roles` maps groups to a role and districts, `flow` keeps a sign-in's state between its
two requests, `client` talks to the provider, `routes` are the browser's side."""
