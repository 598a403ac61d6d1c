// The UI's icon, served as /ui/assets/favicon.svg (so browsers do not ask the gateway for /favicon.ico).

export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#2f7fd8"/><path d="M7 23V9l5 7 4-7 4 7 5-7v14" fill="none" stroke="#fff" stroke-width="3" stroke-linejoin="round" stroke-linecap="round"/></svg>
`;
