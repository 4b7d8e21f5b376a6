// A real OpenID Connect provider for Posbon's single sign-on tests: the npm `oidc-provider`
// package, run as its own process on 127.0.0.1 (tests/integration/test_server/oidc).
//
//   node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI USERS_JSON [CLAIMS_IN]
//
// USERS_JSON maps a username to {"groups": [...], "name": "..."}. The sign-in form is the
// package's built-in development form: it takes the username and any password; an unknown
// username is refused. Consent is granted without asking (a city's own application). The
// person's `groups` and `name` are claims of the `profile` scope and go into the ID token as
// well as the userinfo answer; with CLAIMS_IN `userinfo` only the userinfo answer has them (as
// many providers do once an access token is issued). PKCE with S256 is required of every authorization request.
// Ready once it prints "listening" and answers /.well-known/openid-configuration.

import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri, usersJson, claimsIn = 'id_token'] =
  process.argv.slice(2);
if (!usersJson) {
  console.error('usage: node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI USERS_JSON');
  process.exit(2);
}
const users = JSON.parse(usersJson);
const issuer = `http://127.0.0.1:${port}`;

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['name', 'groups'] },
  // false: the claims go into the ID token too, not only the userinfo answer.
  conformIdTokenClaims: claimsIn === 'userinfo',
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const user = users[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: user.name ?? id, groups: user.groups ?? [] };
      },
    };
  },
  // Consent for this first-party client is implied: grant what it asks for.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    grant.addOIDCClaims(['name', 'groups']);
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);
const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
