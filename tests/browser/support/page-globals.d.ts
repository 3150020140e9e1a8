// The page's globals that functions passed to page.evaluate / addInitScript use: they run in the
// browser, but are type-checked here with Node's types (the DOM library would clash with them).
declare const document: {
  cookie: string;
  addEventListener(type: 'securitypolicyviolation', listener: (event: { violatedDirective: string; blockedURI: string }) => void): void;
};
declare const location: { href: string };
interface Navigator {
  clipboard: { readText(): Promise<string> };
}
