/** spruce's version, written into shard files (a test checks it against package.json). */
export const SPRUCE_VERSION = "0.1.0";
