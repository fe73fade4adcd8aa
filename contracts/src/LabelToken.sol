// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title Tally Label Token (LABEL)
/// @notice The token of Tally's local network: requesters escrow it for labelling
/// tasks and annotators are paid in it.
/// @dev A fixed supply minted once to `initialHolder`, 18 decimals. EIP-2612
/// `permit` lets a wallet approve the market with a signature instead of a
/// separate `approve` transaction; holders may burn their own tokens.
contract LabelToken is ERC20, ERC20Burnable, ERC20Permit {
    /// @dev The token's name is also the EIP-712 domain name `permit` signatures commit to.
    string private constant TOKEN_NAME = "Tally Label Token";
    string private constant TOKEN_SYMBOL = "LABEL";

    /// @param initialHolder Receives the whole supply; must not be the zero address.
    /// @param initialSupply The supply in the smallest unit (18 decimals).
    constructor(address initialHolder, uint256 initialSupply) ERC20(TOKEN_NAME, TOKEN_SYMBOL) ERC20Permit(TOKEN_NAME) {
        _mint(initialHolder, initialSupply);
    }
}
