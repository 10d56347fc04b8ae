import { qnorm } from "spruce-lmm";

console.log(qnorm(0.975));
