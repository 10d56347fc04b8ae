"use strict";
// spruce-lmm is an ES module package. This file is what `require("spruce-lmm")` reaches (the "require" condition
// of package.json's exports): on Node versions that can require() an ES module (>= 20.19, >= 22.12) it hands over
// the ES module itself; elsewhere it says what to do instead of failing with ERR_PACKAGE_PATH_NOT_EXPORTED.
try {
  module.exports = require("../dist/index.js");
} catch (error) {
  if (error && (error.code === "ERR_REQUIRE_ESM" || error.code === "ERR_REQUIRE_ASYNC_MODULE")) {
    throw new Error(
      "spruce-lmm is an ES module and this Node.js cannot require() it. Use `import { fit } from \"spruce-lmm\"` " +
        "(an .mjs file, or \"type\": \"module\" in package.json), or `const spruce = await import(\"spruce-lmm\")` " +
        "from CommonJS; or upgrade to Node.js >= 20.19, which can require() ES modules.",
      { cause: error },
    );
  }
  throw error;
}
