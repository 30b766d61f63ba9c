// A stand-in for Bamboo 0.2.21's services/marathon package, which cannot be had here (the Go module
// proxy refuses QubitProducts/bamboo): the app type Bamboo decodes /v2/apps into, with the fields
// and JSON names of services/marathon/marathon.go at v0.2.21 (marathonApps, marathonApp,
// marathonHealthCheck: L88-104), and a way for the test to decode with it. The file under test,
// images/bamboo/patch/marathon_service_ports.go, is compiled beside it as Bamboo's build does.

package marathon

import "encoding/json"

type marathonApps struct {
	Apps []marathonApp `json:"apps"`
}

type marathonApp struct {
	Id           string                `json:"id"`
	HealthChecks []marathonHealthCheck `json:"healthChecks"`
	Ports        []int                 `json:"ports"`
	Env          map[string]string     `json:"env"`
	Labels       map[string]string     `json:"labels"`
}

type marathonHealthCheck struct {
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	PortIndex int    `json:"portIndex"`
}

// ServicePorts decodes a /v2/apps answer as Bamboo does and gives each app's Ports, which Bamboo
// makes its ServicePorts (and the first, ServicePort).
func ServicePorts(data []byte) (map[string][]int, error) {
	var apps marathonApps
	if err := json.Unmarshal(data, &apps); err != nil {
		return nil, err
	}
	out := map[string][]int{}
	for _, a := range apps.Apps {
		out[a.Id] = append([]int{}, a.Ports...)
	}
	return out, nil
}
