// Copied into Bamboo's services/marathon package by images/bamboo/Dockerfile before it builds: a
// file of ours added beside Bamboo's, none of Bamboo's changed.
//
// Bamboo 0.2.21 takes an app's service ports only from the "ports" field of Marathon's /v2/apps
// (services/marathon/marathon.go: marathonApp.Ports, json:"ports"; app.ServicePorts = mApp.Ports).
// Marathon 1.7 and later never write that field (raml/AppConversion.scala at v1.8.244: ports = None):
// an app on host networking has its service ports in "portDefinitions" (each one's "port"), an app on
// bridge or container networking in "container.portMappings" (each one's "servicePort"; earlier in
// "container.docker.portMappings"). Without them no service port is ever routed. Decoding an app
// here fills Ports from those fields when "ports" is absent, so the rest of Bamboo is unchanged.

package marathon

import "encoding/json"

type servicePortFields struct {
	PortDefinitions []struct {
		Port int `json:"port"`
	} `json:"portDefinitions"`
	Container *struct {
		PortMappings []struct {
			ServicePort int `json:"servicePort"`
		} `json:"portMappings"`
		Docker *struct {
			PortMappings []struct {
				ServicePort int `json:"servicePort"`
			} `json:"portMappings"`
		} `json:"docker"`
	} `json:"container"`
}

// UnmarshalJSON decodes an app as Bamboo's own fields say, then takes its service ports from where
// Marathon 1.7+ writes them when the app has no "ports".
func (app *marathonApp) UnmarshalJSON(data []byte) error {
	type bambooFields marathonApp // the same fields, without this method
	var fields bambooFields
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	*app = marathonApp(fields)
	if len(app.Ports) > 0 {
		return nil
	}
	var more servicePortFields
	if err := json.Unmarshal(data, &more); err != nil {
		return err
	}
	for _, d := range more.PortDefinitions {
		app.Ports = append(app.Ports, d.Port)
	}
	if len(app.Ports) == 0 && more.Container != nil {
		for _, m := range more.Container.PortMappings {
			app.Ports = append(app.Ports, m.ServicePort)
		}
		if len(app.Ports) == 0 && more.Container.Docker != nil {
			for _, m := range more.Container.Docker.PortMappings {
				app.Ports = append(app.Ports, m.ServicePort)
			}
		}
	}
	return nil
}
