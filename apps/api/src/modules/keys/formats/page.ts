import { createHash } from 'node:crypto';
import { type AccessView, formatBytes } from '@fleet/contract';
import type { SubscriptionServer } from './subscription-server';

export interface PageView {
  title: string;
  access: AccessView;
  servers: SubscriptionServer[];
  subscriptionUrl: string;
  /** Why there is no link, when there is none. */
  notice: string | null;
}

const STATUS: Record<AccessView['status'], string> = {
  active: 'Active',
  on_hold: 'Starts with the first connection',
  disabled: 'Disabled',
  expired: 'Expired',
  limited: 'Traffic limit reached',
};

/** Import links of the common apps, each pointing at the subscription in the format that app reads. */
function importLinks(url: string, title: string): Array<{ app: string; href: string }> {
  const named = encodeURIComponent(title);
  return [
    { app: 'Happ', href: `happ://add/${url}` },
    { app: 'Hiddify', href: `hiddify://import/${url}#${named}` },
    { app: 'v2rayNG', href: `v2rayng://install-config?url=${encodeURIComponent(url)}#${named}` },
    { app: 'Clash / Mihomo', href: `clash://install-config?url=${encodeURIComponent(`${url}/clash`)}&name=${named}` },
    { app: 'sing-box', href: `sing-box://import-remote-profile?url=${encodeURIComponent(`${url}/singbox`)}#${named}` },
  ];
}

/** The page's style, served beside it (`PAGE_ASSETS`): cached by browsers, allowed by `style-src 'self'`. */
const PAGE_CSS = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;color:#1a1b1e;background:#fff}
@media (prefers-color-scheme:dark){body{color:#e9ecef;background:#1a1b1e}a{color:#74c0fc}svg{background:#fff}}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{font-weight:600}
ul{list-style:none;padding:0}li{margin:1.5rem 0}.qr svg{width:14rem;max-width:100%;height:auto;display:block}
input{width:100%;font-family:monospace;margin:.5rem 0}.apps a{display:inline-block;margin:.25rem .5rem .25rem 0}
.notice{padding:.75rem;border-radius:.5rem;background:#fff3bf;color:#5c3c00}
`;

/** The page's script, after the QR code library (`qrcode-generator`): a QR code above each link, Copy beside it. */
const PAGE_SCRIPT = `
qrcode.stringToBytes = qrcode.stringToBytesFuncs['UTF-8'];
document.querySelectorAll('input[data-qr]').forEach(function (input) {
  var code = qrcode(0, 'M');
  code.addData(input.value);
  code.make();
  var picture = document.createElement('div');
  picture.className = 'qr';
  picture.innerHTML = code.createSvgTag({ cellSize: 4, margin: 2, scalable: true });
  input.parentNode.insertBefore(picture, input);
});
document.addEventListener('click', function (event) {
  var button = event.target;
  var input = button && button.tagName === 'BUTTON' && button.previousElementSibling;
  if (!input || !input.hasAttribute('data-qr')) return;
  input.select();
  if (navigator.clipboard) navigator.clipboard.writeText(input.value).then(function () { button.textContent = 'Copied'; });
});
`;

/** What the page loads from the control plane: paths (versioned by content, so a day's caching never serves old ones), bodies and types. */
export interface PageAsset {
  path: string;
  body: string;
  type: string;
}

/** The page's stylesheet and script (the QR code library as published, then the page's own lines). */
export function pageAssets(qrLibrary: string): { css: PageAsset; js: PageAsset } {
  const versioned = (name: string, body: string) =>
    `/sub-assets/${name}?v=${createHash('sha256').update(body).digest('hex').slice(0, 12)}`;
  const js = `${qrLibrary}\n${PAGE_SCRIPT}`;
  return {
    css: { path: versioned('page.css', PAGE_CSS), body: PAGE_CSS, type: 'text/css; charset=utf-8' },
    js: { path: versioned('page.js', js), body: js, type: 'text/javascript; charset=utf-8' },
  };
}

/**
 * The subscription as a page for a browser: status, usage, expiry, the links with QR codes, import links. Style and
 * script come from the control plane (`pageAssets`); the QR codes are drawn by the browser, so a page costs the
 * server about what a list of links does.
 */
export function subscriptionPage(view: PageView, assets: { css: PageAsset; js: PageAsset }): string {
  const { access } = view;
  const limit = access.trafficLimitBytes ? ` of ${formatBytes(access.trafficLimitBytes)}` : ' (no limit)';
  const expiry = access.expiresAt ? new Date(access.expiresAt).toUTCString() : 'never';
  // One field per link: the script draws its QR code above it and its button copies it.
  const field = (text: string, label: string) =>
    `<input readonly data-qr value="${escape(text)}" aria-label="${escape(label)}"><button type="button">Copy</button>`;
  const servers = view.servers.map(
    (server) => `<li><h3>${escape(server.name)}</h3>${field(server.link, `${server.name} link`)}</li>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escape(view.title)}</title>
<link rel="stylesheet" href="${assets.css.path}"><script src="${assets.js.path}" defer></script></head><body>
<h1>${escape(view.title)}</h1>
${view.notice ? `<p class="notice" role="status">${escape(view.notice)}</p>` : ''}
<dl><dt>Status</dt><dd>${STATUS[access.status]}</dd>
<dt>Used</dt><dd>${formatBytes(access.usedBytes)}${limit}</dd>
<dt>Expires</dt><dd>${escape(expiry)}</dd></dl>
<h2>Add to your app</h2>
<p class="apps">${importLinks(view.subscriptionUrl, view.title)
    .map((link) => `<a href="${escape(link.href)}">${escape(link.app)}</a>`)
    .join(' ')}</p>
${field(view.subscriptionUrl, 'subscription URL')}
${servers.length ? `<h2>Servers</h2><ul>${servers.join('')}</ul>` : ''}
</body></html>
`;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
