// Which browser the in-browser tests run in (WTR_BROWSER): for the cases where Chromium and
// Firefox do different things and each is asserted (README "Browsers").

/** Whether the page runs in Firefox (Gecko); otherwise Chromium. */
export const firefox = navigator.userAgent.includes('Firefox/');
