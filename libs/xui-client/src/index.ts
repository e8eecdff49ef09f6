export * from './lib/xui-client';
