export * from './errors';
export { scrubSecrets } from './scrub';
export * from './types';
export * from './server-figures';
export * from './xui-client';
export * from './share-links';
export { CookieJar } from './cookie-jar';
export * from './proxy-endpoint';
export { parsedInbound } from './stream-settings';
