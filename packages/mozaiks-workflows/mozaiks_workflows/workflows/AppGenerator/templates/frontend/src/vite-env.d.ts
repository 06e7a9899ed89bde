/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Origin of the backend when it is not this page's origin (e.g. https://api.example.com); empty: same origin. */
  readonly VITE_API_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
