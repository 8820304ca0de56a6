// Initialise GOV.UK Frontend components. Kept in a file: the CSP forbids inline scripts.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
