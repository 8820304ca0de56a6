// A real OpenID provider (the npm `oidc-provider` package) for the single sign-on tests.
//
// Started by tests/sso/conftest.py as `node provider.mjs CONFIG.json`; CONFIG gives the port, the client
// (the app) and the accounts, each with its ID token claims. It prints "ready" once it listens.
//
// Two things a real identity provider may do are played by marked accounts, so the app's checks meet them
// in a token that really came from the token endpoint: "tamper" re-signs the ID token with the provider's
// own key after changing claims (another audience, an expiry in the past), or with a key it never published.
import { readFileSync } from 'node:fs';
import * as jose from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = config.accounts;

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
// Not published: a token signed with it must fail the app's signature check.
const { privateKey: forgerKey } = await jose.generateKeyPair('RS256');
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: 'test-signing-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [config.client],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['sso-test-cookie-key'] },
  // Entra ID puts the user's claims in the ID token; the app reads them there.
  conformIdTokenClaims: false,
  claims: {
    // amr (how the user signed in: "mfa" when a second factor was used) in the ID token, as Entra ID sends it.
    openid: ['sub', 'amr', 'auth_time', 'sid'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username', 'groups', 'roles', 'department', 'oid', 'tid'],
  },
  // The app must send a PKCE challenge: the provider refuses an authorization request without one.
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = accounts[sub];
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...account.claims }) };
  },
  // A first-party app: no consent screen, the grant is made at sign-in.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
});

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

provider.use(async (ctx, next) => {
  const interaction = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (interaction) {
    // The sign-in page, as JSON for the tests: GET says what is asked, POST login=NAME signs that account in.
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.method === 'GET') {
      ctx.body = { uid: details.uid, prompt: details.prompt.name, params: details.params };
      return;
    }
    const login = (await readForm(ctx.req)).get('login');
    if (!accounts[login]) {
      ctx.status = 400;
      ctx.body = { error: `no account ${login}` };
      return;
    }
    const returnTo = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: login, amr: accounts[login].amr || ['pwd'] } },
      { mergeWithLastSubmission: false },
    );
    ctx.status = 303;
    ctx.redirect(returnTo);
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.body && ctx.body.id_token) {
    const claims = jose.decodeJwt(ctx.body.id_token);
    const tamper = accounts[claims.sub]?.tamper;
    if (tamper) {
      const now = Math.floor(Date.now() / 1000);
      const changed = { ...claims, ...(tamper.claims || {}) };
      if (tamper.expired) {
        changed.iat = now - 7200;
        changed.exp = now - 3600;
      }
      ctx.body = {
        ...ctx.body,
        id_token: await new jose.SignJWT(changed)
          .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid })
          .sign(tamper.forged ? forgerKey : privateKey),
      };
    }
  }
});

provider.listen(config.port, '127.0.0.1', () => {
  console.log('ready');
});
