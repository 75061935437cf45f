package ${{ values.packageName }}.security;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.ClaimAccessor;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class MeController {

    /**
     * The caller as the issuer describes them, signed in through the browser (an OIDC user) or calling
     * with an access token (a JWT); the subject is the {@code sub} claim either way. Absent claims are
     * left out.
     */
    @GetMapping("/api/me")
    public Map<String, String> me(Authentication caller) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("subject", caller.getName());
        if (caller.getPrincipal() instanceof ClaimAccessor claims) {
            for (String claim : new String[] {"name", "email"}) {
                String value = claims.getClaimAsString(claim);
                if (value != null) {
                    out.put(claim, value);
                }
            }
        }
        return out;
    }
}
