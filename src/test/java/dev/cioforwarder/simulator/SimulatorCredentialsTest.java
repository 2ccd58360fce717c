package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static dev.cioforwarder.simulator.SimulatorTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keys rotated at runtime (the Track API's and the App API's, from Java and over HTTP), and the App
 * API refusing its key while the Track API keeps accepting.
 */
class SimulatorCredentialsTest {

    private static final String SITE = "site-credentials";
    private static final String KEY = "key-credentials";
    private static final String APP_KEY = "app-key-credentials";
    private static final String LOOK_UP = "/v1/customers/u1/attributes?id_type=id";

    @RegisterExtension
    static final RunningSimulator customerio =
            new RunningSimulator(
                    SimulatorConfig.builder().siteId(SITE).apiKey(KEY).appApiKey(APP_KEY).build());

    private static SimulatorTestClient withKey(String key) {
        return new SimulatorTestClient(customerio.simulator(), SITE, key);
    }

    @Test
    void afterARotationTheOldKeyIs401AndTheNewOneIsAccepted() throws Exception {
        customerio.simulator().rotateApiKey("key-2");
        SimulatorTestClient rotated = withKey("key-2");

        HttpResponse<String> old = customerio.client().identify("u1", j("{'plan':'pro'}"));
        assertThat(old.statusCode()).isEqualTo(401);
        assertThat(old.body()).isEmpty();
        assertThat(customerio.client().region().statusCode()).isEqualTo(401);
        assertThat(customerio.simulator().people()).isEmpty();

        assertThat(rotated.identify("u1", j("{'plan':'pro'}")).statusCode()).isEqualTo(200);
        assertThat(rotated.region().statusCode()).isEqualTo(200);
        assertThat(customerio.simulator().personById("u1")).isPresent();
        // The App API key is another key: it did not change.
        assertThat(customerio.client().appApi(LOOK_UP, APP_KEY).statusCode()).isEqualTo(200);
        assertThat(customerio.simulator().requests())
                .extracting(RequestLogEntry::status)
                .containsExactly(401, 401, 200, 200, 200);

        // Rotating again retires key-2 as well.
        customerio.simulator().rotateApiKey("key-3");
        assertThat(rotated.region().statusCode()).isEqualTo(401);
        assertThat(withKey("key-3").region().statusCode()).isEqualTo(200);
    }

    @Test
    void resetRestoresTheConfiguredKeys() throws Exception {
        customerio.simulator().rotateApiKey("key-2");
        customerio.simulator().rotateAppApiKey("app-key-2");

        customerio.simulator().reset();

        assertThat(customerio.client().region().statusCode()).isEqualTo(200);
        assertThat(withKey("key-2").region().statusCode()).isEqualTo(401);
        assertThat(customerio.client().appApi(LOOK_UP, APP_KEY).statusCode()).isEqualTo(404);
    }

    @Test
    void theAppApiKeyRotatesOnItsOwn() throws Exception {
        customerio.client().identify("u1", j("{'plan':'pro'}"));

        customerio.simulator().rotateAppApiKey("app-key-2");

        assertThat(customerio.client().appApi(LOOK_UP, APP_KEY).statusCode()).isEqualTo(401);
        HttpResponse<String> found = customerio.client().appApi(LOOK_UP, "app-key-2");
        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(json(found).path("customer").path("id").asText()).isEqualTo("u1");
        assertThat(customerio.client().region().statusCode()).isEqualTo(200);
    }

    @Test
    void keysRotateOverHttpWithoutEverShowingThem() throws Exception {
        HttpResponse<String> rotated =
                customerio
                        .client()
                        .inspect(
                                "POST",
                                "/__simulator/credentials",
                                j("{'api_key':'key-2','app_api_key':'app-key-2'}"));

        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        assertThat(rotated.body()).isEqualTo("{}");
        assertThat(customerio.client().region().statusCode()).isEqualTo(401);
        assertThat(withKey("key-2").region().statusCode()).isEqualTo(200);
        assertThat(customerio.client().appApi(LOOK_UP, APP_KEY).statusCode()).isEqualTo(401);
        assertThat(customerio.client().appApi(LOOK_UP, "app-key-2").statusCode()).isEqualTo(404);

        // One key alone leaves the other as it is.
        assertThat(
                        customerio
                                .client()
                                .inspect("POST", "/__simulator/credentials", j("{'api_key':'k3'}"))
                                .statusCode())
                .isEqualTo(200);
        assertThat(withKey("k3").region().statusCode()).isEqualTo(200);
        assertThat(customerio.client().appApi(LOOK_UP, "app-key-2").statusCode()).isEqualTo(404);

        // No endpoint reads them back.
        assertThat(customerio.client().inspect("/__simulator/credentials").statusCode())
                .isEqualTo(404);
        for (String path :
                new String[] {
                    "/__simulator/summary", "/__simulator/requests", "/__simulator/faults"
                }) {
            assertThat(customerio.client().inspect(path).body()).doesNotContain("k3", "app-key-2");
        }
    }

    @Test
    void aRotationWithoutAUsableKeyIsRefusedAndChangesNothing() throws Exception {
        String[][] cases = {
            {"", "api_key"},
            {"{}", "api_key"},
            {"{'api_key':''}", "api_key"},
            {"{'api_key':'fine','app_api_key':''}", "app_api_key"},
            {"{'apikey':'x'}", "apikey"},
            {"{not json", "credentials"},
        };
        for (String[] c : cases) {
            HttpResponse<String> response =
                    customerio.client().inspect("POST", "/__simulator/credentials", j(c[0]));

            assertThat(response.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(json(response).path("error").asText()).as(c[0]).contains(c[1]);
        }
        assertThat(customerio.client().region().statusCode()).isEqualTo(200);
        assertThat(withKey("fine").region().statusCode()).isEqualTo(401);
        assertThatThrownBy(() -> customerio.simulator().rotateApiKey(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("api_key");
    }

    @Test
    void appApiUnauthorizedRefusesTheAppApiWhileTheTrackApiWorks() throws Exception {
        customerio.client().identify("u1", j("{'plan':'pro'}"));
        customerio.simulator().setFaults(Faults.none().appApiUnauthorized(true));

        HttpResponse<String> refused = customerio.client().appApi(LOOK_UP, APP_KEY);

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).isEmpty();
        assertThat(customerio.client().identify("u1", j("{'plan':'max'}")).statusCode())
                .isEqualTo(200);
        assertThat(customerio.client().region().statusCode()).isEqualTo(200);

        // Over HTTP too, and {} heals.
        customerio.simulator().clearFaults();
        HttpResponse<String> set =
                customerio.client().setFaults(j("{'app_api_unauthorized':true}"));
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(json(set).path("app_api_unauthorized").asBoolean()).isTrue();
        assertThat(customerio.client().appApi(LOOK_UP, APP_KEY).statusCode()).isEqualTo(401);
        assertThat(customerio.client().setFaults("{}").statusCode()).isEqualTo(200);
        assertThat(customerio.client().appApi(LOOK_UP, APP_KEY).statusCode()).isEqualTo(200);
        assertThat(customerio.simulator().summary().responsesByStatus()).containsEntry(401, 2L);
    }
}
