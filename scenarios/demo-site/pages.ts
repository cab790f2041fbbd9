// The demo marketplace's pages: plain server-rendered HTML with real labels, the way a
// government enrollment site is built, so recordings get the selectors a real site gives.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #f5f7fa; }
  header { background: #112e51; color: #fff; padding: 12px 24px; font-weight: 600; }
  main { max-width: 560px; margin: 24px auto; background: #fff; padding: 24px 32px; border-radius: 6px; }
  label { display: block; margin-top: 14px; font-weight: 600; }
  input, select { font: inherit; padding: 6px 8px; width: 100%; box-sizing: border-box; }
  input[type=radio], input[type=checkbox] { width: auto; }
  button, .button { margin-top: 20px; background: #0071bc; color: #fff; border: 0; padding: 10px 18px;
    font: inherit; border-radius: 4px; cursor: pointer; text-decoration: none; display: inline-block; }
  .error { color: #981b1e; } .ok { color: #2e8540; } fieldset { border: 0; padding: 0; margin-top: 14px; }
`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · HealthMarket</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><header>HealthMarket · Open enrollment 2027</header><main>${body}</main></body></html>`;
}

/** A 1×1 PNG and a script that does almost nothing: furniture costs the browser its requests, not its pixels. */
export const ASSET_IMAGE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
export const ASSET_SCRIPT = 'window.hmAssets = (window.hmAssets || 0) + 1;';

/** `n` images and scripts, three images to a script, at the foot of a page. */
export const furniture = (n: number): string =>
  `<footer aria-hidden="true">${Array.from({ length: n }, (_, k) => (k % 4 === 3 ? `<script src="/assets/${k}.js"></script>` : `<img src="/assets/${k}.png" alt="" width="1" height="1">`)).join('')}</footer>`;

export const landing = (): string =>
  page(
    'Get covered',
    `<h1>Get covered for 2027</h1>
<p>Compare plans and see if you qualify for savings. It takes about 10 minutes.</p>
<a class="button" href="/account/new">Start enrollment</a>`,
  );

export const newAccount = (error = ''): string =>
  page(
    'Create your account',
    `<h1>Create your account</h1>${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/account">
  <label for="first-name">First name</label><input id="first-name" name="firstName" autocomplete="given-name" required>
  <label for="last-name">Last name</label><input id="last-name" name="lastName" autocomplete="family-name" required>
  <label for="username">Username</label><input id="username" name="username" autocomplete="username" pattern="[a-z][a-z0-9]{5,19}"
    title="6 to 20 lower-case letters and digits, starting with a letter" required>
  <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required>
  <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="8" required>
  <button type="submit">Create account</button>
</form>`,
  );

export const checkEmail = (email: string): string =>
  page(
    'Check your inbox',
    `<h1>Check your inbox</h1><p>We sent a confirmation link to <strong>${escapeHtml(email)}</strong>.
Open it to continue your application.</p>`,
  );

export const signIn = (error = ''): string =>
  page(
    'Sign in',
    `<h1>Sign in to continue</h1>${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '<p class="ok">Your email is confirmed.</p>'}
<form method="post" action="/signin">
  <label for="login">Username or email</label><input id="login" name="login" autocomplete="username" required>
  <label for="signin-password">Password</label><input id="signin-password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>`,
  );

export const invalidLink = (): string =>
  page('Link not valid', `<h1>This confirmation link is not valid</h1><p class="error">It may have expired. Request a new one.</p>`);

export const identity = (firstName: string): string =>
  page(
    'Verify your identity',
    `<h1>Verify your identity, ${escapeHtml(firstName)}</h1>
<p>We check your details with a federal data service. This can take a moment.</p>
<form id="identity-form">
  <label for="dob">Date of birth</label><input id="dob" name="dateOfBirth" type="date" autocomplete="bday" required>
  <label for="account-number">Account number (from your email)</label><input id="account-number" name="accountNumber" required>
  <button type="submit">Verify identity</button>
</form>
<p id="identity-status" role="status" aria-live="polite"></p>
<p id="continue" hidden><a class="button" href="/household">Continue to household</a></p>
<script>
  const form = document.getElementById('identity-form');
  const status = document.getElementById('identity-status');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.textContent = 'Verifying…';
    status.className = '';
    const body = JSON.stringify(Object.fromEntries(new FormData(form)));
    const response = await fetch('/api/identity', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const result = await response.json();
    status.textContent = result.verified ? 'Identity verified' : result.error;
    status.className = result.verified ? 'ok' : 'error';
    document.getElementById('continue').hidden = !result.verified;
  });
</script>`,
  );

export const household = (): string =>
  page(
    'Your household',
    `<h1>Tell us about your household</h1>
<form method="post" action="/household">
  <label for="size">Household size</label>
  <select id="size" name="size">${[1, 2, 3, 4, 5, 6].map((n) => `<option value="${n}">${n} ${n === 1 ? 'person' : 'people'}</option>`).join('')}</select>
  <label for="income">Expected 2027 household income (USD)</label><input id="income" name="income" type="number" min="0" required>
  <fieldset><legend>Home address</legend>
    <label for="street">Street address</label><input id="street" name="street" autocomplete="address-line1" required>
    <label for="city">City</label><input id="city" name="city" autocomplete="address-level2" required>
    <label for="state">State</label><input id="state" name="state" autocomplete="address-level1" pattern="[A-Z]{2}" maxlength="2" required>
    <label for="zip">ZIP code</label><input id="zip" name="zip" autocomplete="postal-code" pattern="[0-9]{5}" required></fieldset>
  <fieldset><legend>Does anyone in your household have coverage through a job?</legend>
    <label><input type="radio" name="jobCoverage" value="yes"> Yes</label>
    <label><input type="radio" name="jobCoverage" value="no" checked> No</label></fieldset>
  <button type="submit">Continue</button>
</form>`,
  );

export const PLANS = [
  { id: 'bronze', name: 'Bronze Saver', premium: 212 },
  { id: 'silver', name: 'Silver Standard', premium: 318 },
  { id: 'gold', name: 'Gold Plus', premium: 441 },
] as const;

export const plans = (): string =>
  page(
    'Choose a plan',
    `<h1>Choose a plan</h1>
<form method="post" action="/plans"><fieldset><legend>Plans available in your area</legend>
${PLANS.map((p) => `<label><input type="radio" name="plan" value="${p.id}" required> ${p.name} — $${p.premium}/month</label>`).join('\n')}
</fieldset><button type="submit">Choose plan</button></form>`,
  );

export const review = (plan: string, size: string, income: string): string =>
  page(
    'Review and submit',
    `<h1>Review your application</h1>
<dl><dt>Plan</dt><dd>${escapeHtml(plan)}</dd><dt>Household size</dt><dd>${escapeHtml(size)}</dd>
<dt>Income</dt><dd>$${escapeHtml(income)}</dd></dl>
<form method="post" action="/application/submit"><button type="submit">Submit application</button></form>`,
  );

export const done = (confirmation: string): string =>
  page('Application submitted', `<h1>Application submitted</h1><p>Your confirmation number is <strong>${escapeHtml(confirmation)}</strong>.</p>`);

export const serverError = (): string =>
  page('Something went wrong', `<h1>Something went wrong</h1><p class="error">Please try again later.</p>`);

export const signedOut = (): string =>
  page('Sign in needed', `<h1>Please confirm your email first</h1><p>Open the link we emailed you.</p>`);

export const confirmationEmail = (name: string, link: string, accountNumber: string): { text: string; html: string } => ({
  text: `Hi ${name},\n\nConfirm your email to continue your HealthMarket application:\n${link}\n\nAccount number: ${accountNumber}\n`,
  html: `<p>Hi ${escapeHtml(name)},</p><p><a href="${escapeHtml(link)}">Confirm my email</a> to continue your HealthMarket application.</p>
<p>Account number: ${escapeHtml(accountNumber)}</p>`,
});
