// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {LabelMarket} from "../src/LabelMarket.sol";
import {LabelToken} from "../src/LabelToken.sol";
import {PriceFeed} from "../src/PriceFeed.sol";
import {vm} from "../test/utils/Vm.sol";

/// @title Deploys Tally's local network: the token, the market and two price feeds, and
/// funds the demo accounts. Run by tools/devnet:
///
///   forge script script/Deploy.s.sol:Deploy --rpc-url URL --broadcast
///
/// Environment (all optional):
/// - DEPLOYER_KEY: the deployer's private key (default: anvil's account 0 of the standard
///   test mnemonic, 0xf39F...2266), which receives the token supply and owns the feeds.
/// - DEVNET_MNEMONIC: the mnemonic of the demo accounts (default: "test test ... junk").
/// - DEMO_ACCOUNTS: how many demo accounts, at indices 1..N of the mnemonic (default 4).
/// - DEMO_TOKENS: LABEL (in wei) sent to each (default 10,000 LABEL).
/// - DEMO_ETH: ETH (in wei) each demo account is topped up to (default 100 ETH).
contract Deploy {
    uint256 private constant ANVIL_KEY_0 = 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80;
    string private constant TEST_MNEMONIC = "test test test test test test test test test test test junk";
    uint256 private constant SUPPLY = 1_000_000_000 ether;

    function run() external returns (LabelToken token, LabelMarket market, PriceFeed tokenFeed, PriceFeed ethFeed) {
        uint256 deployerKey = vm.envOr("DEPLOYER_KEY", ANVIL_KEY_0);
        string memory mnemonic = vm.envOr("DEVNET_MNEMONIC", TEST_MNEMONIC);
        uint256 demoCount = vm.envOr("DEMO_ACCOUNTS", uint256(4));
        uint256 tokensEach = vm.envOr("DEMO_TOKENS", uint256(10_000 ether));
        uint256 ethEach = vm.envOr("DEMO_ETH", uint256(100 ether));
        address deployer = vm.addr(deployerKey);

        vm.startBroadcast(deployerKey);
        token = new LabelToken(deployer, SUPPLY);
        market = new LabelMarket(IERC20(address(token)));
        // Chainlink fiat feeds have 8 decimals; the price bot moves these.
        tokenFeed = new PriceFeed(deployer, 8, "LABEL / USD", 0.05e8);
        ethFeed = new PriceFeed(deployer, 8, "ETH / USD", 3000e8);
        for (uint256 i = 1; i <= demoCount; ++i) {
            address demo = vm.addr(vm.deriveKey(mnemonic, uint32(i)));
            token.transfer(demo, tokensEach);
            if (demo.balance < ethEach) payable(demo).transfer(ethEach - demo.balance);
        }
        vm.stopBroadcast();
    }
}
