/** Package names whose main entry must bundle for the browser with no Node built-ins. */
export const BROWSER_PACKAGES = ['core', 'protos', 'tensor-bundle', 'saved-model', 'keras-h5'] as const;
