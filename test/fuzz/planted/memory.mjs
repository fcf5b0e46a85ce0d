import { planted } from "../planted.mjs";
export default planted("memory");
