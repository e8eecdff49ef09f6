export * from './errors';
export * from './types';
export * from './xui-client';
export * from './share-links';
export { CookieJar } from './cookie-jar';
